package hartlab.cli;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parses the sizes and durations people type: {@code 256M}, {@code 1G}, {@code 10s}, {@code 500ms}.
 */
final class Sizes {
  /** A plain decimal number: no sign, exponent, hex or type suffix ("10d" is not ten seconds). */
  private static final Pattern DECIMAL = Pattern.compile("[0-9]+(\\.[0-9]+)?");

  private Sizes() {}

  static long bytes(String text) {
    String t = text.trim().toUpperCase(Locale.ROOT);
    long unit = 1;
    if (t.endsWith("K") || t.endsWith("M") || t.endsWith("G")) {
      unit = t.endsWith("K") ? 1L << 10 : t.endsWith("M") ? 1L << 20 : 1L << 30;
      t = t.substring(0, t.length() - 1);
    }
    try {
      return Math.multiplyExact(Long.parseLong(t), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("not a size: '" + text + "' (examples: 64M, 1G)");
    }
  }

  static long millis(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    long unit;
    if (t.endsWith("ms")) {
      unit = 1;
      t = t.substring(0, t.length() - 2);
    } else if (t.endsWith("s")) {
      unit = 1000;
      t = t.substring(0, t.length() - 1);
    } else if (t.endsWith("m")) {
      unit = 60_000;
      t = t.substring(0, t.length() - 1);
    } else {
      unit = 1000;
    }
    if (!DECIMAL.matcher(t).matches()) {
      throw new IllegalArgumentException(
          "not a duration: '" + text + "' (examples: 10s, 500ms, 2m)");
    }
    double millis = Double.parseDouble(t) * unit;
    if (millis > 0 && millis < 0.5) {
      throw new IllegalArgumentException(
          "'" + text + "' is shorter than 1ms; give 0 for no limit, or at least 1ms");
    }
    return Math.round(millis); // saturates at Long.MAX_VALUE; callers check their range
  }
}
