package hartlab.kernel.fs;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the guest's root file system is made of, before the machine builds it into a {@link Vfs}: a
 * host directory (--root, read-only beneath the guest's in-memory changes), or the built-in
 * programs at {@code /bin/NAME}.
 *
 * @param host the host directory, or null for {@code programs}
 * @param programs name to ELF bytes, under /bin (empty with a host directory)
 * @param mtimeNs the modification time of the nodes hartlab makes itself (/, /bin, /dev, /proc)
 */
public record RootFs(Path host, Map<String, byte[]> programs, long mtimeNs) {
  /** 2026-01-01T00:00:00Z, where the guest's realtime clock starts. */
  public static final long EPOCH_NS = 1_767_225_600L * 1_000_000_000L;

  /** A root file system holding {@code programs} (name to ELF bytes) under /bin. */
  public static RootFs withPrograms(Map<String, byte[]> programs) {
    return new RootFs(null, new TreeMap<>(programs), EPOCH_NS);
  }

  /**
   * The host directory {@code dir} as the guest's root. It must be a directory: the caller checks
   * and reports; the guest sees an empty root if it is not.
   */
  public static RootFs hostDirectory(Path dir) {
    return new RootFs(dir.toAbsolutePath().normalize(), Map.of(), EPOCH_NS);
  }

  public static RootFs empty() {
    return withPrograms(Map.of());
  }
}
