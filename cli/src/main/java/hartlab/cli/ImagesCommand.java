package hartlab.cli;

import hartlab.images.Images;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code hartlab images}: the built-in guest programs. */
@Command(
    name = "images",
    mixinStandardHelpOptions = true,
    description = "List the built-in guest images.")
final class ImagesCommand implements Callable<Integer> {
  private final Cli cli;

  ImagesCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    for (Images.ImageInfo info : Images.list()) {
      cli.out()
          .printf(
              "%-10s %s%s%n",
              info.name(),
              info.description(),
              info.name().equals(Images.DEFAULT) ? " (default)" : "");
    }
    return 0;
  }
}
