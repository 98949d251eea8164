package hartlab.loader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads a program file from the host so that no file can hurt the run: only regular files are
 * opened, and no more than the size limit plus one byte is ever read.
 *
 * <p>The file type is checked from the file's attributes before it is opened, because opening can
 * itself block (a FIFO without a writer) and reading can last for ever ({@code /dev/zero}) or wait
 * on a terminal. A regular file whose size already exceeds the limit is refused without reading it;
 * one that grows while it is read is refused once a byte past the limit arrives.
 */
public final class ImageFiles {
  /** Largest program file hartlab loads: far more than any guest program needs. */
  public static final long MAX_IMAGE_SIZE = 64L << 20;

  // S_IFMT and the file types of st_mode (sys/stat.h), for the "unix:mode" attribute.
  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;
  private static final int S_IFBLK = 0060000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFIFO = 0010000;

  private ImageFiles() {}

  /**
   * The bytes of the regular file at {@code path}, at most {@code limit} of them.
   *
   * @param limit largest accepted size in bytes, 0 to {@code Integer.MAX_VALUE - 8}
   * @throws ImageFileException if there is no such file, it is not a regular file (directory, FIFO,
   *     device, socket), it is larger than {@code limit}, or it cannot be read
   */
  public static byte[] read(Path path, long limit) throws ImageFileException {
    if (limit < 0 || limit > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("ImageFiles.read: limit " + limit + " out of range");
    }
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new ImageFileException(path + ": no such file", true);
    } catch (IOException e) {
      throw unreadable(path, e);
    }
    if (!attrs.isRegularFile()) {
      throw new ImageFileException(
          path
              + " is "
              + describeNonRegular(path, attrs)
              + ", not a regular file; hartlab loads programs only from regular files, so that"
              + " reading one cannot block or go on for ever",
          false);
    }
    if (attrs.size() > limit) {
      throw tooLarge(path, Long.toString(attrs.size()), limit);
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(path)) {
      bytes = in.readNBytes((int) limit + 1);
    } catch (IOException e) {
      throw unreadable(path, e);
    }
    if (bytes.length > limit) {
      throw tooLarge(path, "more than " + limit, limit);
    }
    return bytes;
  }

  private static ImageFileException tooLarge(Path path, String size, long limit) {
    return new ImageFileException(
        String.format(
            "%s is %s bytes, larger than the %s hartlab loads; is it really a guest program?"
                + " (strip it with riscv64-linux-gnu-strip)",
            path, size, sizeName(limit)),
        false);
  }

  private static ImageFileException unreadable(Path path, IOException e) {
    String why =
        e instanceof AccessDeniedException
            ? "permission denied"
            : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new ImageFileException("cannot read " + path + ": " + why, false);
  }

  /** "a directory", "a FIFO (named pipe)", ...; the exact type where the platform tells it. */
  private static String describeNonRegular(Path path, BasicFileAttributes attrs) {
    if (attrs.isDirectory()) {
      return "a directory";
    }
    try {
      int mode = (Integer) Files.getAttribute(path, "unix:mode");
      switch (mode & S_IFMT) {
        case S_IFIFO:
          return "a FIFO (named pipe)";
        case S_IFCHR:
          return "a character device";
        case S_IFBLK:
          return "a block device";
        case S_IFSOCK:
          return "a socket";
        default:
          break;
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      // No unix view on this platform: the generic description below is still true.
    }
    return "a special file";
  }

  private static String sizeName(long limit) {
    return limit % (1 << 20) == 0 ? (limit >> 20) + " MiB" : limit + " bytes";
  }
}
