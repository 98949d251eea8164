package hartlab.kernel.smp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import org.junit.jupiter.api.Test;

/** A shared word's line: an atomic is cheap on the hart that wrote it last and dear elsewhere. */
class CacheLineTest {
  private static final CostModel COST = CostModel.DEFAULT;

  @Test
  void anAtomicCostsTheRemotePriceUntilThisHartOwnsTheLine() {
    KernelRig rig = KernelRig.of(2);
    Hart h0 = rig.hart(0), h1 = rig.hart(1);
    CacheLine line = new CacheLine();
    assertFalse(line.atomic(h0), "nobody held it: it comes from memory");
    assertEquals(COST.remoteAtomic(), h0.cycles());
    assertTrue(line.atomic(h0));
    assertEquals(COST.remoteAtomic() + COST.atomic(), h0.cycles());
    assertFalse(line.atomic(h1), "hart 1 takes it from hart 0");
    assertFalse(line.atomic(h0), "and back: a ping-pong costs every time");
    assertEquals(2L * COST.remoteAtomic() + COST.atomic(), h0.cycles());
    assertEquals(COST.remoteAtomic(), h1.cycles());
  }
}
