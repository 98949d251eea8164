package hartlab.cli.experiment;

import java.util.List;

/**
 * One dimension of a sweep: a machine option ({@code --cores}) and the values it takes, in the
 * order given.
 *
 * @param option the option as typed, with its dashes
 * @param values at least one value
 */
public record Axis(String option, List<String> values) {
  public Axis {
    if (values.isEmpty()) {
      throw new IllegalArgumentException(option + ": no values");
    }
    values = List.copyOf(values);
  }

  /** The option without its dashes: the column name in results. */
  public String name() {
    return option.replaceFirst("^-+", "");
  }

  /** {@code a,b,c} as an axis; empty items are an error. */
  public static Axis parse(String option, String commaSeparated) {
    List<String> values = List.of(commaSeparated.split(",", -1));
    for (String v : values) {
      if (v.isBlank()) {
        throw new IllegalArgumentException(
            option + " " + commaSeparated + ": empty value in a comma-separated list");
      }
    }
    return new Axis(option, values);
  }
}
