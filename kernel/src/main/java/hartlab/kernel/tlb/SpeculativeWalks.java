package hartlab.kernel.tlb;

import hartlab.cpu.Hart;
import java.util.SplittableRandom;

/**
 * Hardware walks page tables on its own, speculatively, at any time: with {@code
 * --speculative-walks} each hart walks its loaded table near its last access at every kernel entry
 * and just before satp changes (the last moment the old table can be walked), so a freed page table
 * a lazy hart still reaches shows up. Seeded per hart, so lockstep runs repeat.
 */
public final class SpeculativeWalks {
  private final boolean enabled;

  /** Per hart, seeded: where speculative walks look (hart-local). */
  private final SplittableRandom[] random;

  public SpeculativeWalks(boolean enabled, long seed, int harts) {
    this.enabled = enabled;
    this.random = new SplittableRandom[harts];
    for (int i = 0; i < harts; i++) {
      random[i] = new SplittableRandom(seed * 1_000_003L + i);
    }
  }

  public boolean enabled() {
    return enabled;
  }

  /** One speculative walk by {@code hart}'s hardware, if enabled. On that hart's thread. */
  public void speculate(Hart hart) {
    if (enabled) {
      hart.mmu().speculativeWalk(random[hart.id()].nextInt(-8, 9));
    }
  }
}
