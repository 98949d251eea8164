package hartlab.kernel.mm;

import static hartlab.kernel.KernelRig.MAP_FIXED;
import static hartlab.kernel.KernelRig.PAGE;
import static hartlab.kernel.KernelRig.PRIVATE_ANON;
import static hartlab.kernel.KernelRig.RW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.proc.Task;
import hartlab.kernel.smp.Waits;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dead-entry munmap scheme: what munmap leaves holds the range until its grace period and
 * shootdown are done, and a MAP_FIXED caller that had to wait for one keeps the range it unmapped
 * until it runs again — no other mapping may be placed there meanwhile, or the retried call would
 * unmap it (the mappings mmapstorm lost with several threads).
 */
class DeadEntryTest {
  private static final long LEN = 2 * PAGE;

  private KernelRig rig;
  private Mm mm;
  private Task first;
  private Task second;

  @BeforeEach
  void setUp() {
    rig = KernelRig.builder().harts(2).munmapScheme(MunmapScheme.DEAD_ENTRY).build();
    mm = rig.newMm();
    first = rig.runOn(0, rig.newProcess(mm));
    second = rig.runOn(1, rig.newThread(first)); // a second user: the tree is in RCU mode
  }

  private long fixed(Hart hart, long addr) {
    return rig.mmap(hart, mm, addr, LEN, RW, PRIVATE_ANON | MAP_FIXED);
  }

  private static Vma entryAt(Mm mm, long va) {
    return mm.vmas.findEntry(va);
  }

  @Test
  void munmapLeavesADeadEntryThatHoldsTheRangeUntilItsGracePeriod() {
    Hart h0 = rig.hart(0);
    long a = rig.mmapAnon(h0, mm, 2);
    rig.munmap(h0, mm, a, LEN);
    assertNull(mm.vmas.find(a), "no area for faults or lookups");
    assertNotNull(entryAt(mm, a), "but a dead entry in the tree");
    assertNotEquals(a, rig.mmapAnon(h0, mm, 2), "the range is not handed out again yet");
    rig.rcuQuiesce();
    assertEquals(a, rig.mmapAnon(h0, mm, 2), "once done, the next writer erases it");
    assertNotNull(mm.vmas.find(a), "and the range is an area again");
    rig.assertNoViolations();
  }

  @Test
  void aFixedMappingThatWaitsKeepsItsRangeFromOtherMappings() {
    Hart h0 = rig.hart(0);
    Hart h1 = rig.hart(1);
    long fresh = rig.mmapAnon(h0, mm, 2);
    assertEquals(Waits.BLOCKED, fixed(h0, fresh), "MAP_FIXED over its own dead entry waits");
    assertSame(Task.State.SLEEPING, first.state);
    rig.rcuQuiesce(); // the grace period ends: the dead entry is done, the waiter woken
    assertSame(Task.State.RUNNABLE, first.state);

    long other = rig.mmapAnon(h1, mm, 2); // before the waiter runs again
    assertNotEquals(fresh, other, "the waiter's range is not free for another mapping");
    rig.poke(h1, mm, other, 42);

    rig.runOn(0, first);
    assertEquals(fresh, fixed(h0, fresh), "the call runs again and maps its range");
    assertNotNull(mm.vmas.find(other), "the other thread's mapping survives");
    assertEquals(42, rig.peek(h1, mm, other));
    List<Vma> areas = MmFixtures.areas(mm);
    assertEquals(2, areas.stream().filter(v -> v.dead == null).count(), areas::toString);
    rig.assertNoViolations();
  }

  @Test
  void noReplaceOverADeadEntryWaitsRatherThanFailing() {
    Hart h0 = rig.hart(0);
    long a = rig.mmapAnon(h0, mm, 2);
    rig.munmap(h0, mm, a, LEN);
    int noReplace = PRIVATE_ANON | Mmap.MAP_FIXED_NOREPLACE;
    assertEquals(
        Waits.BLOCKED,
        rig.mmap(h0, mm, a, LEN, RW, noReplace),
        "the range is unmapped for the guest: no EEXIST, a wait for the dead entry");
    rig.rcuQuiesce();
    rig.runOn(0, first);
    assertEquals(a, rig.mmap(h0, mm, a, LEN, RW, noReplace));
    rig.assertNoViolations();
  }

  @Test
  void aClaimedEntryIsErasedByAMunmapOverItsRange() {
    Hart h0 = rig.hart(0);
    long fresh = rig.mmapAnon(h0, mm, 2);
    assertEquals(Waits.BLOCKED, fixed(h0, fresh));
    rig.rcuQuiesce();
    rig.runOn(0, first);
    rig.munmap(h0, mm, rig.mmapAnon(h0, mm, 1), PAGE); // a writer's reaping leaves it alone
    assertNotNull(entryAt(mm, fresh), "claimed: held for the waiter");
    rig.munmap(h0, mm, fresh, LEN); // a waiter that never ran again cannot leak the range
    assertNull(entryAt(mm, fresh));
    rig.rcuQuiesce();
    rig.assertNoViolations();
  }
}
