package hartlab.kernel.stats;

/**
 * Every per-hart figure of a run, declared once: the name reports use, the unit, what it counts,
 * where it comes from and how harts' values make the machine's. Kernel counters are counted by each
 * hart's kernel code in its {@link HartCounters}; hardware figures are read off the hart (its
 * clock, TLB and walker) when the run is over.
 */
public enum Counter {
  INSTRUCTIONS("instructions", "instructions", "instructions retired", Source.HARDWARE),
  CYCLES("cycles", "cycles", "the hart's virtual clock at the end", Source.HARDWARE, Merge.BUSIEST),
  IDLE_CYCLES(
      "idleCycles",
      "cycles",
      "cycles the kernel moved the clock on while the hart had nothing to run",
      Source.KERNEL,
      Merge.BUSIEST),
  BUSY_CYCLES(
      "busyCycles",
      "cycles",
      "cycles minus idle cycles: running tasks or kernel code, or waiting for other harts; the"
          + " busiest hart's is the run's length",
      Source.HARDWARE,
      Merge.BUSIEST),
  TLB_HITS(
      "tlbHits", "lookups", "TLB hits, the MMU's caches in front of it included", Source.HARDWARE),
  TLB_MISSES("tlbMisses", "lookups", "TLB misses (each a page walk)", Source.HARDWARE),
  TLB_FLUSHES_ALL("tlbFlushesAll", "flushes", "whole-TLB flushes", Source.HARDWARE),
  TLB_FLUSHES_ASID("tlbFlushesAsid", "flushes", "single-ASID flushes", Source.HARDWARE),
  TLB_FLUSHES_PAGE("tlbFlushesPage", "flushes", "single-page flushes", Source.HARDWARE),
  TLB_FLUSHES_RANGE("tlbFlushesRange", "flushes", "range flushes", Source.HARDWARE),
  TLB_ENTRIES_INVALIDATED(
      "tlbEntriesInvalidated", "entries", "TLB entries dropped by flushes", Source.HARDWARE),
  PAGE_WALKS("pageWalks", "walks", "page-table walks, speculative ones included", Source.HARDWARE),
  WALK_CYCLES(
      "walkCycles",
      "cycles",
      "cycles TLB misses stalled the hart: page-table levels read (after the page-walk cache)"
          + " times walkLevel",
      Source.HARDWARE),
  TRAPS("traps", "events", "traps from user mode: system calls, page faults and other exceptions"),
  SYSCALLS("syscalls", "calls", "system calls, a call that slept and restarted counted once"),
  SYSCALL_RESTARTS("syscallRestarts", "calls", "system calls run again after their task slept"),
  PAGE_FAULTS("pageFaults", "faults", "page faults taken from user mode"),
  SIGNALS_DELIVERED(
      "signalsDelivered", "signals", "signal handlers entered (a frame built on the user stack)"),
  CONTEXT_SWITCHES("contextSwitches", "switches", "tasks switched in by schedule()"),
  IPIS_SENT("ipisSent", "IPIs", "inter-processor interrupts sent (one per target)"),
  IPIS_RECEIVED("ipisReceived", "IPIs", "inter-processor interrupts handled"),
  SHOOTDOWNS("shootdowns", "shootdowns", "calls of the TLB flush entry point"),
  PAGES_INVALIDATED("pagesInvalidated", "pages", "pages of ranged shootdowns"),
  FULL_SHOOTDOWNS("fullShootdowns", "shootdowns", "shootdowns over the flush ceiling (whole ASID)"),
  BROADCASTS("broadcasts", "operations", "hardware broadcast invalidations"),
  DEFERRED_APPLIED("deferredApplied", "flushes", "deferred flushes applied at kernel entry"),
  MM_COUNT_LOCAL_ATOMICS(
      "mmCountLocalAtomics", "atomics", "mm_count changes on a line this hart wrote last"),
  MM_COUNT_REMOTE_ATOMICS(
      "mmCountRemoteAtomics", "atomics", "mm_count changes that pulled the line from another hart"),
  REMOTE_ATOMICS(
      "remoteAtomics",
      "atomics",
      "atomics on any shared kernel word (mm_count, mm_users, cpumask, tlb_gen, mmap_lock) last"
          + " written by another hart"),
  LAZY_TLB_IPIS(
      "lazyTlbIpis", "IPIs", "IPIs that made harts holding a dying mm lazily leave it (shootdown)"),
  REUSE_WAITS(
      "reuseWaits",
      "waits",
      "address ranges handed out again only after completing the flushes still pending for them"),
  REUSE_WAIT_CYCLES(
      "reuseWaitCycles", "cycles", "cycles spent completing pending flushes before reuse"),
  FAULTS_VMA_LOCK(
      "faultsVmaLock",
      "faults",
      "page faults handled under the area's own lock, the area found without mmap_lock"),
  FAULTS_MMAP_LOCK(
      "faultsMmapLock",
      "faults",
      "page faults handled under mmap_lock: the per-VMA path failed, or the access was refused"),
  VMA_LOCK_FALLBACKS(
      "vmaLockFallbacks", "faults", "lockless area lookups that failed and fell back to mmap_lock"),
  VMA_LOOKUP_MISSES("vmaLookupMisses", "lookups", "lockless area lookups that found no area"),
  VMA_RECHECK_DETACHED(
      "vmaRecheckDetached",
      "lookups",
      "lockless lookups refused a reference: the area found had been taken out (detached)"),
  VMA_RECHECK_WRITER(
      "vmaRecheckWriter", "lookups", "lockless lookups that found the area write-locked"),
  VMA_RECHECK_MM(
      "vmaRecheckMm",
      "lookups",
      "lockless lookups whose re-check found the area reused for another mm"),
  VMA_RECHECK_RANGE(
      "vmaRecheckRange",
      "lookups",
      "lockless lookups whose re-check found the area no longer covering the address"),
  VMA_WRITER_WAITS(
      "vmaWriterWaits", "waits", "writers that waited for lockless readers of an area to drain"),
  MAPS_LOCK_FALLBACKS(
      "mapsLockFallbacks",
      "areas",
      "/proc/PID/maps areas read under mmap_lock because the lockless read could not hold them"),
  VMA_TREE_RCU_ONE_USER(
      "vmaTreeRcuOneUser",
      "mms",
      "mms back to one user with their VMA tree still in RCU mode (the benign race of mmget)"),
  RCU_READ_SECTIONS(
      "rcuReadSections", "sections", "RCU read-side critical sections entered (outermost ones)"),
  RCU_GRACE_PERIODS(
      "rcuGracePeriods", "grace periods", "RCU grace periods ended (on the hart that ended each)"),
  RCU_EXPEDITED(
      "rcuExpedited",
      "grace periods",
      "RCU grace periods hurried by IPIs to the harts still in the kernel: expedited, or forced"
          + " after a stall"),
  RCU_CALLBACKS_QUEUED("rcuCallbacksQueued", "callbacks", "callbacks queued by call_rcu"),
  RCU_CALLBACKS_RUN(
      "rcuCallbacksRun", "callbacks", "RCU callbacks invoked after their grace period"),
  RCU_SYNC_SLEEPS(
      "rcuSyncSleeps", "calls", "synchronize_rcu and rcu_barrier calls whose task had to sleep"),
  SWITCH_PICK_CYCLES(
      "switchPickCycles", "cycles", "context switches: picking the next task (schedule())"),
  SWITCH_MM_CYCLES(
      "switchMmCycles", "cycles", "context switches: switch_mm (satp, ASID, flushes, refcounts)"),
  SWITCH_TO_CYCLES(
      "switchToCycles", "cycles", "context switches: switch_to (registers, kernel path)"),
  SWITCH_FINISH_CYCLES(
      "switchFinishCycles", "cycles", "context switches: finish_task_switch (child tid, ...)"),
  SWITCH_FLUSH_CYCLES(
      "switchFlushCycles",
      "cycles",
      "local TLB flushes of switch_mm and lazy-TLB entry: every switch without ASIDs, ASID"
          + " rollovers, catching up with flushes a lazy hart skipped"),
  MM_ATOMIC_CYCLES(
      "mmAtomicCycles",
      "cycles",
      "atomics on an mm's shared lines (mm_count, mm_users, cpumask) in switch_mm, lazy-TLB entry"
          + " and exit, and the mm's life");

  /** Who produces a figure. */
  public enum Source {
    /** Counted by the hart's kernel code as events happen. */
    KERNEL,
    /** Read off the emulated hardware when the run is over. */
    HARDWARE
  }

  /** How the harts' values make the machine's. */
  public enum Merge {
    SUM,
    /** The value of the hart with the most busy cycles, whose clock is the run's length. */
    BUSIEST
  }

  static final Counter[] ALL = values();

  private final String key;
  private final String unit;
  private final String description;
  private final Source source;
  private final Merge merge;

  Counter(String key, String unit, String description) {
    this(key, unit, description, Source.KERNEL, Merge.SUM);
  }

  Counter(String key, String unit, String description, Source source) {
    this(key, unit, description, source, Merge.SUM);
  }

  Counter(String key, String unit, String description, Source source, Merge merge) {
    this.key = key;
    this.unit = unit;
    this.description = description;
    this.source = source;
    this.merge = merge;
  }

  /** The name in reports and JSON. */
  public String key() {
    return key;
  }

  public String unit() {
    return unit;
  }

  public String description() {
    return description;
  }

  public Source source() {
    return source;
  }

  public Merge merge() {
    return merge;
  }
}
