package hartlab.cli;

import hartlab.images.Images;
import hartlab.kernel.fs.RootFs;
import hartlab.loader.ElfFormatException;
import hartlab.loader.ElfImage;
import hartlab.loader.ElfParser;
import hartlab.loader.ImageFileException;
import hartlab.loader.ImageFiles;
import java.nio.file.InvalidPathException;
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

  /**
   * Thrown when the argument names neither a built-in image nor a program file hartlab can run:
   * exit status {@link ExitCodes#BAD_IMAGE}.
   */
  static final class Unusable extends Exception {
    private static final long serialVersionUID = 1L;

    Unusable(String message) {
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
   * Resolves {@code arg} and parses it: the one way a command gets a program to run. Unusable's
   * message says what is wrong with it.
   *
   * @throws UsageException if {@code arg} is empty
   */
  static Loaded load(String arg) throws Unusable {
    GuestImage guest = resolve(arg);
    try {
      return new Loaded(guest, ElfParser.parse(guest.bytes()));
    } catch (ElfFormatException e) {
      throw new Unusable(arg + ": not a program hartlab can run: " + e.getMessage());
    }
  }

  /**
   * This program as the guest sees it under {@code --root dir}: a file inside {@code dir} is named
   * by its path there ({@code dir/bin/busybox} is {@code /bin/busybox}, argv[0] too); any other
   * program keeps its name.
   */
  GuestImage inRoot(Path dir) {
    Path file;
    try {
      file = Path.of(argv0).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      return this;
    }
    Path base = dir.toAbsolutePath().normalize();
    if (!file.startsWith(base) || file.equals(base)) {
      return this;
    }
    StringBuilder guestPath = new StringBuilder();
    for (Path part : base.relativize(file)) {
      guestPath.append('/').append(part);
    }
    return new GuestImage(name, guestPath.toString(), bytes);
  }

  /** A guest image with its parsed ELF. */
  record Loaded(GuestImage guest, ElfImage elf) {}

  /**
   * A name without a slash that is a built-in image boots that; anything else is a path, read
   * through {@link ImageFiles} so that no file (a FIFO, a device, a huge file) can stall the run.
   */
  static GuestImage resolve(String arg) throws Unusable {
    if (arg.isEmpty()) {
      throw new UsageException(
          "the program name is empty; name a built-in image ('hartlab images' lists"
              + " them) or the path of a RISC-V ELF file");
    }
    if (!arg.contains("/")) {
      Optional<byte[]> builtIn = Images.load(arg);
      if (builtIn.isPresent()) {
        return new GuestImage(arg, "/bin/" + arg, builtIn.get());
      }
    }
    try {
      Path path = Path.of(arg);
      byte[] bytes = ImageFiles.read(path, ImageFiles.MAX_IMAGE_SIZE);
      return new GuestImage(path.getFileName().toString(), arg, bytes);
    } catch (InvalidPathException e) {
      throw new Unusable("'" + arg + "' is not a valid path: " + e.getReason());
    } catch (ImageFileException e) {
      if (e.missing()) {
        throw new Unusable(
            "no built-in image and no file named '"
                + arg
                + "'; built-in images: "
                + Images.list().stream()
                    .map(Images.ImageInfo::name)
                    .collect(Collectors.joining(", ")));
      }
      throw new Unusable(e.getMessage());
    }
  }
}
