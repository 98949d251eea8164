package hartlab.cli;

import hartlab.cli.experiment.ResultFiles;
import hartlab.cli.experiment.Results;
import hartlab.cli.experiment.Summary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hartlab merge}: joins the folders of a sharded sweep ({@code --shard i/n}) into the folder
 * one unsharded run writes, byte for byte apart from host.csv's timings.
 */
@Command(
    name = "merge",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Join the result folders of 'compare --shard I/N' (or ctxsw) runs of one sweep into one"
          + " folder: the same files an unsharded run writes."
    })
final class MergeCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "DIR", description = "Shard folders.")
  List<Path> shards = new ArrayList<>();

  @Option(names = "--out", paramLabel = "DIR", required = true, description = "Merged folder.")
  Path out;

  private final Cli cli;

  MergeCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    List<Results> parts = new ArrayList<>();
    for (Path dir : shards) {
      try {
        parts.add(ResultFiles.read(dir));
      } catch (IOException e) {
        throw new UsageException(OutputFiles.reason(e));
      }
    }
    Results merged;
    try {
      merged = Results.merge(parts);
    } catch (IllegalArgumentException e) {
      throw new UsageException("cannot merge: " + e.getMessage());
    }
    try {
      ResultFiles.write(out, merged);
    } catch (IOException e) {
      return cli.fail(
          ExitCodes.INTERNAL,
          "could not write the results to " + out + ": " + OutputFiles.reason(e));
    }
    cli.out().print(new Summary(merged).text());
    cli.err().println("hartlab merge: written to " + out.resolve(ResultFiles.HTML));
    return CompareCommand.status(merged);
  }
}
