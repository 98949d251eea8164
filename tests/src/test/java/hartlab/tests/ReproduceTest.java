package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code hartlab reproduce --quick}: every published direction holds on small workloads. */
class ReproduceTest {
  @Test
  void everyPublishedDirectionHolds() {
    Runs.Outcome o = Runs.hartlab("reproduce", "--quick");
    assertEquals(0, o.status(), o.stdout() + o.stderr());
    assertTrue(o.stdout().contains("every direction holds"), o.stdout());
    assertEquals(7, o.stdout().split("direction holds: yes", -1).length - 1, o.stdout());
    assertTrue(!o.stdout().contains("direction holds: NO"), o.stdout());
    for (String what :
        new String[] {
          "concurrent vs synchronous flush",
          "skipping lazy CPUs",
          "deferred/batched invalidation",
          "ASIDs vs flush on every switch",
          "refcount vs shootdown under a switch storm",
          "munmap: wait for a grace period vs leave a dead entry",
          "munmap: refcounting areas is not enough"
        }) {
      assertTrue(o.stdout().contains(what), what);
    }
  }
}
