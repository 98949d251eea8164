package hartlab.images;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The guest images shipped on the classpath: static RISC-V Linux ELF executables built by {@code
 * images/Makefile} into {@code /hartlab/images/NAME}, listed with a description in {@code
 * /hartlab/images/index.txt} (one {@code NAME<TAB>description} per line, {@code #} starts a
 * comment).
 *
 * <p>Thread-safe: nothing is cached; every call reads the classpath again.
 */
public final class Images {

  /** The image a user sees first when they name none. */
  public static final String DEFAULT = "demo";

  private static final String ROOT = "/hartlab/images/";
  private static final String INDEX = ROOT + "index.txt";

  /** Image names: what {@code images/guest/NAME.c} may be called; no path, no dot. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

  /** One line of the index. */
  public record ImageInfo(String name, String description) {
    public ImageInfo {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(description, "description");
    }
  }

  private Images() {}

  /**
   * The images listed in the index, in index order.
   *
   * @throws IllegalStateException if the index is missing from the classpath or a line is malformed
   *     (the message names the line)
   */
  public static List<ImageInfo> list() {
    InputStream in = Images.class.getResourceAsStream(INDEX);
    if (in == null) {
      throw new IllegalStateException(
          "Images.list: " + INDEX + " is not on the classpath; is hartlab-images a dependency?");
    }
    List<ImageInfo> images = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      int lineNo = 0;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int tab = line.indexOf('\t');
        String name = tab < 0 ? line : line.substring(0, tab);
        if (tab < 0 || !NAME.matcher(name).matches()) {
          throw new IllegalStateException(
              "Images.list: "
                  + INDEX
                  + " line "
                  + lineNo
                  + ": expected NAME<TAB>description with NAME like [a-z0-9_-]+, got: "
                  + line);
        }
        images.add(new ImageInfo(name, line.substring(tab + 1).strip()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Images.list: reading " + INDEX, e);
    }
    return List.copyOf(images);
  }

  /**
   * The bytes of the ELF file of the named image, or empty if there is no such image. Only plain
   * names are looked up ({@code "demo"}, not {@code "../x"} or {@code "index.txt"}).
   */
  public static Optional<byte[]> load(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    try (InputStream in = Images.class.getResourceAsStream(ROOT + name)) {
      return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("Images.load: reading " + ROOT + name, e);
    }
  }
}
