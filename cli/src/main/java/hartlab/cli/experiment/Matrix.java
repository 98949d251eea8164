package hartlab.cli.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every combination of the axes' values, numbered with the first axis varying slowest, so {@code
 * --shootdown a,b --cores 1,2} runs a/1, a/2, b/1, b/2.
 */
public record Matrix(List<Axis> axes) {
  public Matrix {
    axes = List.copyOf(axes);
  }

  /** One point of the matrix: its number and the value of each axis. */
  public record Configuration(int index, Map<String, String> settings) {
    public Configuration {
      settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** {@code shootdown=ipi-sync cores=4}, or {@code default} for a matrix without axes. */
    public String label() {
      if (settings.isEmpty()) {
        return "default";
      }
      List<String> parts = new ArrayList<>();
      settings.forEach((k, v) -> parts.add(k.replaceFirst("^-+", "") + "=" + v));
      return String.join(" ", parts);
    }

    /** The option arguments that select this configuration, e.g. {@code --cores 4}. */
    public List<String> arguments() {
      List<String> args = new ArrayList<>();
      settings.forEach(
          (k, v) -> {
            args.add(k);
            args.add(v);
          });
      return args;
    }
  }

  public int size() {
    int n = 1;
    for (Axis a : axes) {
      n = Math.multiplyExact(n, a.values().size());
    }
    return n;
  }

  public Configuration configuration(int index) {
    Map<String, String> settings = new LinkedHashMap<>();
    int rest = index;
    int stride = size();
    for (Axis a : axes) {
      stride /= a.values().size();
      settings.put(a.option(), a.values().get(rest / stride));
      rest %= stride;
    }
    return new Configuration(index, settings);
  }

  /**
   * The configurations of shard {@code i} of {@code n} (1-based): every n-th, starting at i-1, so
   * that each shard gets small and large machines alike.
   */
  public List<Configuration> shard(int i, int n) {
    if (n < 1 || i < 1 || i > n) {
      throw new IllegalArgumentException("shard " + i + "/" + n + ": want 1 <= i <= n");
    }
    List<Configuration> out = new ArrayList<>();
    for (int c = i - 1; c < size(); c += n) {
      out.add(configuration(c));
    }
    return out;
  }

  /** The axis whose option is {@code option}, or null. */
  public Axis axis(String option) {
    for (Axis a : axes) {
      if (a.option().equals(option)) {
        return a;
      }
    }
    return null;
  }
}
