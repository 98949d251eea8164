package hartlab.mmu;

/** Counters of one hart's TLB. Hits include the MMU's one-entry caches in front of the TLB. */
public record TlbStats(
    long hits,
    long misses,
    long flushesAll,
    long flushesAsid,
    long flushesPage,
    long flushesRange,
    long entriesInvalidated) {

  public TlbStats plus(TlbStats o) {
    return new TlbStats(
        hits + o.hits,
        misses + o.misses,
        flushesAll + o.flushesAll,
        flushesAsid + o.flushesAsid,
        flushesPage + o.flushesPage,
        flushesRange + o.flushesRange,
        entriesInvalidated + o.entriesInvalidated);
  }

  public long flushes() {
    return flushesAll + flushesAsid + flushesPage + flushesRange;
  }
}
