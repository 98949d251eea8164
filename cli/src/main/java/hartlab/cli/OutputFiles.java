package hartlab.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Output files named on the command line ({@code --stats-file}, {@code --out}), checked before a
 * run so that an hour of emulation is not lost to a typo in a path.
 */
final class OutputFiles {
  private OutputFiles() {}

  /**
   * Checks that {@code file} can be created or overwritten as a regular file: it is one already and
   * is writable, or it does not exist and its directory does and is writable. Devices, FIFOs and
   * sockets are refused too: a write to {@code /dev/full} fails only after the run, and opening a
   * FIFO blocks until someone reads it.
   *
   * @throws UsageException naming {@code option}, the path and what to do
   */
  static void requireWritable(String option, Path file) {
    String what = option + " " + file;
    if (Files.isDirectory(file)) {
      throw new UsageException(
          what + " is a directory; name a file, e.g. " + file.resolve("stats.json"));
    }
    if (Files.exists(file)) {
      if (!Files.isRegularFile(file)) {
        throw new UsageException(
            what + " is not a regular file (a device, FIFO or socket); name a regular file");
      }
      if (!Files.isWritable(file)) {
        throw new UsageException(what + " is not writable (permission denied)");
      }
      return;
    }
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new UsageException(
          what + ": directory " + dir + " does not exist; create it first or name another file");
    }
    if (!Files.isWritable(dir)) {
      throw new UsageException(
          what + ": cannot create the file, directory " + dir + " is not writable");
    }
  }

  /** What went wrong with a write, in words: Java's own messages for some are just the path. */
  static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "the file or its directory no longer exists";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
      return ((FileSystemException) e).getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
