package hartlab.kernel.tlb;

import hartlab.cpu.Hart;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A {@link TlbObserver} that photographs every hart's TLB at the moment a shootdown is released:
 * which pages of the changed range each hart still caches under the mm's ASID. That is the moment
 * the kernel declares the change complete, so it is where a stale entry counts.
 */
final class ReleaseLog implements TlbObserver {
  /** One release: the shootdown, its deferred and catch-up harts, and what each hart cached. */
  record Release(TlbShootdown shootdown, long deferred, long catchUp, List<TreeSet<Long>> cached) {
    /** Pages of the range hart {@code h} still cached at the release. */
    TreeSet<Long> cachedOn(int h) {
      return cached.get(h);
    }
  }

  private final Hart[] harts;
  final List<Release> releases = new ArrayList<>();

  ReleaseLog(Hart[] harts) {
    this.harts = harts;
  }

  @Override
  public void shootdownReleased(Hart initiator, TlbShootdown s, long deferred, long catchUp) {
    List<TreeSet<Long>> cached = new ArrayList<>();
    for (Hart h : harts) {
      TreeSet<Long> pages = new TreeSet<>();
      h.mmu().tlb().forEachEntry(s.mm.asid, s.start, s.end, (vpn, base, bits) -> pages.add(vpn));
      cached.add(pages);
    }
    releases.add(new Release(s, deferred, catchUp, cached));
  }

  Release last() {
    return releases.get(releases.size() - 1);
  }
}
