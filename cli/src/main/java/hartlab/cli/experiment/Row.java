package hartlab.cli.experiment;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One run's figures: column name to a {@link Long} or a {@link String}, in column order. Nothing
 * here measures the host.
 *
 * @param configuration the configuration's number in the matrix
 * @param repeat which of its runs, from 0
 * @param label the configuration's label
 */
public record Row(int configuration, int repeat, String label, Map<String, Object> values) {
  public Row {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** The figure in {@code column}, 0 when the column is absent or not a number. */
  public long number(String column) {
    return values.get(column) instanceof Long n ? n : 0;
  }

  public String text(String column) {
    Object v = values.get(column);
    return v == null ? "" : v.toString();
  }
}
