package hartlab.kernel.fs;

import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The guest's read-only root file system: the programs at {@code /bin/NAME}. Paths resolve as Linux
 * resolves them from the root directory (the only working directory there is): repeated slashes,
 * {@code .} and {@code ..} are allowed.
 */
public final class RootFs {
  public static final int PATH_MAX = 4096;

  private final Map<String, byte[]> files;

  private RootFs(Map<String, byte[]> files) {
    this.files = files;
  }

  /** A root file system holding {@code programs} (name to ELF bytes) under /bin. */
  public static RootFs withPrograms(Map<String, byte[]> programs) {
    Map<String, byte[]> files = new TreeMap<>();
    programs.forEach((name, bytes) -> files.put("/bin/" + name, bytes));
    return new RootFs(files);
  }

  public static RootFs empty() {
    return new RootFs(Map.of());
  }

  /** The bytes of the regular file at {@code path}, or the errno execve would give. */
  public byte[] read(String path) {
    if (path.isEmpty()) {
      throw SyscallError.of(Errno.ENOENT);
    }
    if (path.length() >= PATH_MAX) {
      throw SyscallError.of(Errno.ENAMETOOLONG);
    }
    String normal = normalize(path);
    byte[] bytes = files.get(normal);
    if (bytes != null) {
      if (path.endsWith("/")) {
        throw SyscallError.of(Errno.ENOTDIR);
      }
      return bytes;
    }
    if (normal.equals("/") || normal.equals("/bin")) {
      throw SyscallError.of(Errno.EACCES);
    }
    throw SyscallError.of(Errno.ENOENT);
  }

  private static String normalize(String path) {
    Deque<String> parts = new ArrayDeque<>();
    for (String p : path.split("/")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        parts.pollLast();
      } else {
        parts.addLast(p);
      }
    }
    return "/" + String.join("/", parts);
  }

  public Optional<String> name(String path) {
    String n = normalize(path);
    return Optional.of(n.substring(n.lastIndexOf('/') + 1));
  }
}
