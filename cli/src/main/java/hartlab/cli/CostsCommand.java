package hartlab.cli;

import hartlab.cpu.CostModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code hartlab costs}: every price of the cost model, its unit and reason, per profile. */
@Command(
    name = "costs",
    mixinStandardHelpOptions = true,
    description = {
      "List every price of the cost model (cycles; one cycle is one nanosecond), with the value"
          + " in each profile named (default: every built-in profile) and why."
    })
final class CostsCommand implements Callable<Integer> {
  private final Cli cli;

  @Parameters(paramLabel = "PROFILE", arity = "0..*", description = "Profiles or profile files.")
  List<String> profiles = new ArrayList<>();

  CostsCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    List<String> names = profiles.isEmpty() ? CostModel.PROFILES : profiles;
    List<CostModel> models = new ArrayList<>();
    for (String n : names) {
      try {
        models.add(CostModel.load(n));
      } catch (IllegalArgumentException e) {
        throw new UsageException("costs: " + e.getMessage());
      }
    }
    StringBuilder head = new StringBuilder(String.format("%-16s", "price"));
    for (CostModel m : models) {
      head.append(String.format(" %14s", m.profile()));
    }
    cli.out().println(head.append("  why"));
    for (CostModel.Cost c : CostModel.Cost.values()) {
      StringBuilder row = new StringBuilder(String.format("%-16s", c.key()));
      for (CostModel m : models) {
        row.append(String.format(" %14d", m.get(c)));
      }
      cli.out().println(row.append("  ").append(c.reason()));
    }
    return 0;
  }
}
