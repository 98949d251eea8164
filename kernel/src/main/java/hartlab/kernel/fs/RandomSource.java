package hartlab.kernel.fs;

import java.util.SplittableRandom;

/**
 * The machine's randomness (getrandom, AT_RANDOM): a generator seeded by {@code --seed}, shared by
 * every hart, so the same seed gives the same bytes. Thread-safe through its monitor.
 */
public final class RandomSource {
  private final SplittableRandom random;

  public RandomSource(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** Fills the first {@code n} bytes of {@code b}. */
  public synchronized void fill(byte[] b, int n) {
    for (int i = 0; i < n; i++) {
      b[i] = (byte) random.nextInt(256);
    }
  }

  /** Sixteen bytes for a new image's AT_RANDOM. */
  public byte[] atRandom() {
    byte[] b = new byte[16];
    fill(b, b.length);
    return b;
  }
}
