package hartlab.cli;

import hartlab.kernel.tlb.shootdown.ShootdownStrategies;
import hartlab.kernel.tlb.shootdown.ShootdownStrategy;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code hartlab strategies}: the TLB-shootdown strategies --shootdown can name. */
@Command(
    name = "strategies",
    mixinStandardHelpOptions = true,
    description = "List the TLB-shootdown strategies, built-in and found on the class path.")
final class StrategiesCommand implements Callable<Integer> {
  private final Cli cli;

  StrategiesCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    for (ShootdownStrategy s :
        ShootdownStrategies.all(Thread.currentThread().getContextClassLoader())) {
      cli.out()
          .printf(
              "%-16s %s%s%n",
              s.name(),
              s.description(),
              s.name().equals(ShootdownStrategies.DEFAULT) ? " (default)" : "");
    }
    return 0;
  }
}
