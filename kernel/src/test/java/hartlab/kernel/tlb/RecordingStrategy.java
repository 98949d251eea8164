package hartlab.kernel.tlb;

import hartlab.kernel.tlb.shootdown.Shootdown;
import hartlab.kernel.tlb.shootdown.ShootdownStrategy;
import java.util.ArrayList;
import java.util.List;

/**
 * Wraps a strategy and records what it asked of each shootdown (which harts it sent IPIs to,
 * deferred, left to catch up or invalidated by broadcast), passing every call through unchanged.
 * The tests judge a strategy by what happened to the TLBs; this says what it meant to do.
 */
final class RecordingStrategy implements ShootdownStrategy {
  /** One shootdown as the strategy handled it. */
  static final class Call {
    long targets;
    long lazyTargets;
    boolean freesPageTables;
    boolean deferrable;
    long ipis;
    int ipiMessages;
    long deferred;
    long catchUp;
    long broadcast;
    int flushLocal;
    int releases;
  }

  private final ShootdownStrategy inner;
  final List<Call> calls = new ArrayList<>();

  RecordingStrategy(ShootdownStrategy inner) {
    this.inner = inner;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public String description() {
    return inner.description();
  }

  @Override
  public void shootdown(Shootdown s) {
    Call c = new Call();
    c.targets = s.targets();
    c.lazyTargets = s.lazyTargets();
    c.freesPageTables = s.freesPageTables();
    c.deferrable = s.deferrable();
    calls.add(c);
    inner.shootdown(
        new Shootdown() {
          @Override
          public int initiator() {
            return s.initiator();
          }

          @Override
          public long targets() {
            return s.targets();
          }

          @Override
          public long lazyTargets() {
            return s.lazyTargets();
          }

          @Override
          public boolean freesPageTables() {
            return s.freesPageTables();
          }

          @Override
          public boolean deferrable() {
            return s.deferrable();
          }

          @Override
          public long start() {
            return s.start();
          }

          @Override
          public long end() {
            return s.end();
          }

          @Override
          public void flushLocal() {
            c.flushLocal++;
            s.flushLocal();
          }

          @Override
          public Acks sendIpis(long mask) {
            long sent = mask & s.targets();
            c.ipis |= sent;
            c.ipiMessages += Long.bitCount(sent);
            return s.sendIpis(mask);
          }

          @Override
          public void await(Acks acks) {
            s.await(acks);
          }

          @Override
          public void catchUpOnSwitch(long mask) {
            c.catchUp |= mask & s.targets();
            s.catchUpOnSwitch(mask);
          }

          @Override
          public void defer(long mask) {
            c.deferred |= mask & s.targets();
            s.defer(mask);
          }

          @Override
          public void broadcast(long mask) {
            c.broadcast |= mask & s.targets();
            s.broadcast(mask);
          }

          @Override
          public void release() {
            c.releases++;
            s.release();
          }
        });
  }

  Call last() {
    return calls.get(calls.size() - 1);
  }
}
