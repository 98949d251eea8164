package hartlab.cli;

import hartlab.images.Images;
import hartlab.kernel.fs.RootFs;
import hartlab.loader.ElfFormatException;
import hartlab.loader.ElfImage;
import hartlab.loader.ElfParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The program to boot: a built-in image by name, or an ELF file by path.
 *
 * @param name short name for reports
 * @param argv0 what the guest sees as argv[0] and AT_EXECFN
 */
record GuestImage(String name, String argv0, byte[] bytes) {

  /** Thrown when the argument names neither a built-in image nor a readable file. */
  static final class NotFound extends Exception {
    private static final long serialVersionUID = 1L;

    NotFound(String message) {
      super(message);
    }
  }

  /** The guest's root file system: every built-in image at /bin/NAME, for execve. */
  static RootFs rootFs() {
    Map<String, byte[]> programs = new LinkedHashMap<>();
    for (Images.ImageInfo info : Images.list()) {
      Images.load(info.name()).ifPresent(bytes -> programs.put(info.name(), bytes));
    }
    return RootFs.withPrograms(programs);
  }

  /**
   * Resolves {@code arg} and parses it: the one way a command gets a program to run. NotFound's
   * message says what is wrong with it.
   */
  static Loaded load(String arg) throws NotFound {
    GuestImage guest = resolve(arg);
    try {
      return new Loaded(guest, ElfParser.parse(guest.bytes()));
    } catch (ElfFormatException e) {
      throw new NotFound(arg + ": not a program hartlab can run: " + e.getMessage());
    }
  }

  /** A guest image with its parsed ELF. */
  record Loaded(GuestImage guest, ElfImage elf) {}

  /** A name without a slash that is a built-in image boots that; anything else is a path. */
  static GuestImage resolve(String arg) throws NotFound {
    if (!arg.contains("/")) {
      Optional<byte[]> builtIn = Images.load(arg);
      if (builtIn.isPresent()) {
        return new GuestImage(arg, "/bin/" + arg, builtIn.get());
      }
    }
    Path path = Path.of(arg);
    try {
      if (Files.isDirectory(path)) {
        throw new NotFound(arg + " is a directory, not a program");
      }
      if (Files.size(path) > 64L << 20) {
        throw new NotFound(arg + " is larger than 64 MiB: not a program hartlab can load");
      }
      return new GuestImage(path.getFileName().toString(), arg, Files.readAllBytes(path));
    } catch (NoSuchFileException e) {
      throw new NotFound(
          "no built-in image and no file named '"
              + arg
              + "'; built-in images: "
              + Images.list().stream()
                  .map(Images.ImageInfo::name)
                  .collect(Collectors.joining(", ")));
    } catch (IOException e) {
      throw new NotFound("cannot read " + arg + ": " + e.getMessage());
    }
  }
}
