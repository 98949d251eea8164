package hartlab.cli.experiment;

import java.util.List;

/**
 * What a sweep is, independent of how it was split: the command, the workload, the axes and the
 * options every configuration shares. Shards of one sweep have equal experiments.
 *
 * @param command {@code compare} or {@code ctxsw}
 * @param image the built-in image or ELF path as given
 * @param argv the guest's arguments after its name
 * @param axes the matrix
 * @param fixed option arguments every configuration gets, e.g. {@code --exec lockstep}
 * @param repeat runs per configuration
 */
public record Experiment(
    String command,
    String image,
    List<String> argv,
    List<Axis> axes,
    List<String> fixed,
    int repeat) {
  public Experiment {
    argv = List.copyOf(argv);
    axes = List.copyOf(axes);
    fixed = List.copyOf(fixed);
  }

  public Matrix matrix() {
    return new Matrix(axes);
  }
}
