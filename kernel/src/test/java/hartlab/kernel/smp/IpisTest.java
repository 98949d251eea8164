package hartlab.kernel.smp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.StubTurns;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;
import hartlab.kernel.stats.Latency;
import hartlab.kernel.stats.Outcome;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * IPIs between stub harts on one thread: who runs a call, what each side pays in virtual time and
 * counts, how a waiting sender's clock moves, broadcasts, kicks, and a spinning wait that gives up
 * when the machine stops.
 */
class IpisTest {
  private static final CostModel COST = CostModel.DEFAULT;
  private final KernelRig rig = KernelRig.of(3);
  private final Ipis ipis = rig.ipis;
  private final Hart h0 = rig.hart(0), h1 = rig.hart(1), h2 = rig.hart(2);

  @Test
  void aCallToNobodyOrOnlyToTheSenderIsNotSent() {
    assertNull(ipis.send(h0, 0, t -> {}, "none", true));
    assertNull(ipis.send(h0, 1L, t -> {}, "self", true), "a hart never IPIs itself");
    assertEquals(0, rig.count(0, Counter.IPIS_SENT));
    assertEquals(0, h0.cycles());
    ipis.await(h0, null); // nothing to wait for
  }

  @Test
  void aSynchronousCallRunsOnceOnEachTargetBeforeSendReturns() {
    List<Integer> ranOn = new ArrayList<>();
    Ipi ipi = ipis.send(h0, 0b111, t -> ranOn.add(t.id()), "test", true);
    assertTrue(ipi.done());
    assertEquals(List.of(1, 2), ranOn);
    assertEquals(2, rig.count(0, Counter.IPIS_SENT));
    assertEquals(1, rig.count(1, Counter.IPIS_RECEIVED));
    assertEquals(1, rig.count(2, Counter.IPIS_RECEIVED));
    assertEquals(0, rig.count(0, Counter.IPIS_RECEIVED));
    assertEquals("IPI(test)", ipi.toString());
  }

  @Test
  void eachSidePaysItsPartAndTheSenderWaitsUntilTheLastTargetFinished() {
    h1.setCycles(10_000); // targets' clocks drift: that is neither latency nor the target's work
    Ipi ipi = ipis.send(h0, 0b110, t -> t.addCycles(t.id() * 50), "work", true);
    // Sends go out one after another: hart 2's leaves after both were written.
    long finishedOn2 = 2L * COST.ipiSend() + COST.ipiDeliver() + COST.ipiHandle() + 100;
    assertEquals(finishedOn2, ipi.doneCycles(), "sends + delivery + the slowest target's work");
    assertEquals(finishedOn2, h0.cycles(), "the sender waited until then");
    assertEquals(10_000 + COST.ipiHandle() + 50, h1.cycles(), "hart 1 paid for handling");
    assertEquals(COST.ipiHandle() + 100, h2.cycles());
    assertEquals(
        COST.ipiSend() + COST.ipiDeliver() + COST.ipiHandle() + 50,
        rig.counters.hart(1).histogram(Latency.IPI_CYCLES).getMaxValue(),
        "latency from the send, not from the target's clock");
    assertEquals(1, rig.counters.hart(2).histogram(Latency.IPI_HOST_NANOS).getTotalCount());
  }

  @Test
  void anAsynchronousCallWaitsInTheMailboxUntilTheTargetsNextKernelEntry() {
    int[] ran = {0};
    Ipi ipi = ipis.send(h0, 0b10, t -> ran[0]++, "later", false);
    assertFalse(ipi.done());
    assertTrue(ipis.pending(1));
    assertFalse(ipis.pending(2));
    assertTrue(h1.interruptPending(), "the target is interrupted");
    assertEquals(Ipis.IRQ_IPI, h1.takeInterrupts());
    assertEquals(1, rig.turns.kicks(1), "and woken if parked");
    assertEquals(0, ran[0]);
    ipis.handle(h1);
    assertEquals(1, ran[0]);
    assertTrue(ipi.done());
    assertFalse(ipis.pending(1));
    ipis.handle(h1);
    assertEquals(1, ran[0], "handled once");
  }

  @Test
  void aWaitingSenderServesItsOwnMailbox() {
    // Hart 1 has a call queued for hart 0; hart 0 then waits for hart 1. Were it not serving its
    // own IPIs while it waits, two harts shooting each other down would deadlock.
    int[] ranOn0 = {0};
    ipis.send(h1, 0b01, t -> ranOn0[0]++, "to 0", false);
    rig.turns.serveOthers(false);
    ipis.send(h0, 0b10, t -> {}, "to 1", false);
    ipis.spinUntil(h0, () -> ranOn0[0] == 1);
    assertEquals(1, ranOn0[0]);
  }

  @Test
  void aBroadcastInterruptsNobodyAndIsCountedAsOne() {
    int[] ran = {0};
    ipis.broadcast(h0, 0b110, t -> ran[0]++);
    assertEquals(2, ran[0]);
    assertEquals(1, rig.count(0, Counter.BROADCASTS));
    assertEquals(0, rig.count(0, Counter.IPIS_SENT));
    assertEquals(0, rig.count(1, Counter.IPIS_RECEIVED));
    assertEquals(0, h1.cycles(), "no handling cost at the target");
    assertEquals(0, h0.cycles(), "nor IPI costs at the sender");
    assertEquals(0, rig.counters.hart(1).histogram(Latency.IPI_CYCLES).getTotalCount());
  }

  @Test
  void kicksInterruptAndWakeWhileNudgesOnlyWake() {
    ipis.kick(2);
    assertEquals(Ipis.IRQ_KICK, h2.takeInterrupts());
    assertEquals(1, rig.turns.kicks(2));
    ipis.nudge(2);
    assertFalse(h2.interruptPending(), "a nudge leaves the work for the next entry");
    assertEquals(2, rig.turns.kicks(2));
    ipis.kickAll();
    for (Hart h : rig.harts) {
      assertEquals(Ipis.IRQ_KICK, h.takeInterrupts());
    }
  }

  @Test
  void aSpinningWaitGivesUpWhenTheMachineStops() {
    rig.turns.serveOthers(false);
    rig.turns.onPause(
        h -> {
          if (rig.turns.pauses() == 3) {
            rig.halt.requestStop(Outcome.TIMEOUT, 0, "stop");
          }
        });
    ipis.spinUntil(h0, () -> false);
    assertTrue(rig.halt.stopping());
    assertEquals(3, rig.turns.pauses(), "it returned at the first round after the stop");
  }

  @Test
  void awaitAfterAStopReturnsWithoutMovingTheSendersClockToAnUnfinishedCall() {
    Ipi ipi = ipis.send(h0, 0b10, t -> {}, "never handled", false);
    rig.halt.requestStop(Outcome.TIMEOUT, 0, "stop");
    long before = h0.cycles();
    ipis.await(h0, ipi);
    assertFalse(ipi.done());
    assertEquals(before, h0.cycles());
    assertSame(Outcome.TIMEOUT, rig.halt.ending().outcome());
  }

  // ---- timed delivery (lockstep) ----

  @Test
  void inVirtualTimeAnIpiIsHandledOnlyOnceTheTargetsClockReachesItsDelivery() {
    Hart[] harts = {h0, h1};
    Counters counters = new Counters(2);
    StubTurns turns = new StubTurns(harts);
    Ipis timed = new Ipis(harts, turns, COST, counters, new Halt(harts, turns), true);
    List<Long> ranAt = new ArrayList<>();
    Ipi ipi = timed.send(h0, 0b10, t -> ranAt.add(t.cycles()), "timed", false);
    long delivery = COST.ipiSend() + COST.ipiDeliver();
    assertEquals(delivery, timed.nextIpi(1));
    h1.setCycles(delivery - 1);
    timed.handle(h1);
    assertTrue(ranAt.isEmpty(), "still in flight");
    assertTrue(timed.pending(1));
    h1.setCycles(delivery + 1_000); // the target ran past it within the lookahead
    timed.handle(h1);
    assertEquals(List.of(delivery + 1_000 + COST.ipiHandle()), ranAt);
    assertEquals(delivery + COST.ipiHandle(), ipi.doneCycles(), "done as if at its delivery");
    assertEquals(Long.MAX_VALUE, timed.nextIpi(1));
    assertEquals(Long.MAX_VALUE, ipis.nextIpi(1), "free-running harts have no delivery times");
  }
}
