package hartlab.cli.experiment;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one run measured of the host (seconds, MIPS, host-time latencies): kept apart from {@link
 * Row} because it differs between any two runs.
 */
public record HostRow(int configuration, int repeat, Map<String, Double> values) {
  public HostRow {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }
}
