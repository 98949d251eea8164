package hartlab.kernel.tlb;

import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.MmUsers;
import hartlab.kernel.mm.Mmap;
import hartlab.kernel.smp.CacheLine;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.Mmu;

/**
 * switch_mm and the life of an mm: which page table each hart has loaded, the lazy-TLB modes,
 * mm_users/mm_count (mmget, mmput, mmgrab, mmdrop) and teardown.
 *
 * <p>Lazy TLB: a hart that goes idle keeps the last user mm loaded ({@link TlbState#activeMm}) so
 * that switching back to it costs nothing. The mm must then outlive that hart's use of it: {@link
 * LazyTlbMode#REFCOUNT} holds an mm_count reference (an atomic on a line other harts write: {@link
 * CostModel#remoteAtomic}); {@link LazyTlbMode#SHOOTDOWN} holds none, and the last mmdrop IPIs
 * every hart in the mm's cpumask still holding it so it loads the kernel's table first; {@link
 * LazyTlbMode#OFF} never holds an mm while idle; {@link LazyTlbMode#UNSAFE} holds none and sends
 * nothing, which the active_mm checker catches.
 *
 * <p>All methods run on the named hart's thread.
 */
public final class MmSwitch implements LazyTeardown, MmUsers {
  private final LazyTlbMode mode;

  /** Null when ASIDs are off: every switch then flushes the whole TLB. */
  private final AsidAllocator asids;

  private final long kernelSatp;
  private final FrameAllocator frames;
  private final Mmap mmap;
  private final TlbFlush tlbFlush;
  private final TlbStates states;
  private final SpeculativeWalks walks;
  private final TlbObserver observer;
  private final Counters counters;

  public MmSwitch(
      LazyTlbMode mode,
      AsidAllocator asids,
      long kernelSatp,
      FrameAllocator frames,
      Mmap mmap,
      TlbFlush tlbFlush,
      TlbStates states,
      SpeculativeWalks walks,
      TlbObserver observer,
      Counters counters) {
    this.mode = mode;
    this.asids = asids;
    this.kernelSatp = kernelSatp;
    this.frames = frames;
    this.mmap = mmap;
    this.tlbFlush = tlbFlush;
    this.states = states;
    this.walks = walks;
    this.observer = observer;
    this.counters = counters;
    tlbFlush.setLazyTeardown(this);
  }

  public LazyTlbMode mode() {
    return mode;
  }

  /**
   * Context switch to a task running in {@code next}: loads its table unless this hart holds it
   * already.
   */
  public void switchTo(Hart hart, Mm next) {
    TlbState cpu = states.hart(hart.id());
    Mm prev = cpu.activeMm;
    observer.switchingFrom(hart, prev);
    if (prev != next) {
      load(hart, cpu, next);
    }
    // A hart that skipped flushes of this mm (lazy, or away) catches up before using it.
    long t = hart.cycles();
    tlbFlush.catchUp(hart, next);
    counters.hart(hart.id()).add(Counter.SWITCH_FLUSH_CYCLES, hart.cycles() - t);
    if (cpu.lazyRef) {
      cpu.lazyRef = false;
      mmdrop(hart, prev); // the lazy reference taken when this hart went idle
    }
  }

  /** The hart runs no user task now: enter lazy TLB mode as the policy says. */
  public void enterLazy(Hart hart) {
    TlbState cpu = states.hart(hart.id());
    Mm held = cpu.activeMm;
    if (held == null) {
      return;
    }
    switch (mode) {
      case OFF:
        loadKernel(hart, cpu);
        break;
      case REFCOUNT:
        if (!cpu.lazyRef) {
          mmgrab(hart, held);
          cpu.lazyRef = true;
        }
        break;
      default:
        break; // SHOOTDOWN, UNSAFE: keep it loaded without a reference
    }
  }

  /**
   * exit_mm: the exiting task stops using {@code mm}; its hart keeps it lazily, as after a switch
   * to idle.
   */
  public void exitMm(Hart hart, Mm mm) {
    if (states.hart(hart.id()).activeMm == mm) {
      enterLazy(hart);
    }
    mmput(hart, mm);
  }

  /** mmget: a new user (a thread, a fork in progress); an atomic on mm_users' line. */
  public void mmget(Hart hart, Mm mm) {
    mm.enterRcuForNewUser(); // before the increment: the new user may walk the tree at once
    atomic(hart, mm.usersLine);
    mm.users.incrementAndGet();
  }

  /**
   * mmget_not_zero: a user from outside (a /proc reader) unless the mm is already being torn down.
   * The tree goes to RCU mode first, as for {@link #mmget}; if the mm turns out to be dying, that
   * leaves a tree in RCU mode nobody walks.
   */
  @Override
  public boolean mmgetNotZero(Hart hart, Mm mm) {
    mm.enterRcuForNewUser();
    atomic(hart, mm.usersLine);
    int u;
    do {
      u = mm.users.get();
      if (u == 0) {
        return false;
      }
    } while (!mm.users.compareAndSet(u, u + 1));
    return true;
  }

  /**
   * mmput: drops a user; the last one tears the mappings down (exit_mmap, whose one flush round
   * also settles the lazy holders, see {@link LazyTeardown}) and drops the users' mm_count
   * reference.
   */
  @Override
  public void mmput(Hart hart, Mm mm) {
    atomic(hart, mm.usersLine);
    int left = mm.users.decrementAndGet();
    if (left == 1 && mm.vmasInRcu()) {
      counters.hart(hart.id()).add(Counter.VMA_TREE_RCU_ONE_USER);
    }
    if (left == 0) {
      mm.leaveRcu();
      mmap.exitMmap(hart, mm);
      mmdrop(hart, mm);
    }
  }

  private void mmgrab(Hart hart, Mm mm) {
    countAtomic(hart, mm);
    mm.count.incrementAndGet();
  }

  private void mmdrop(Hart hart, Mm mm) {
    countAtomic(hart, mm);
    if (mm.count.decrementAndGet() == 0) {
      freeMm(hart, mm);
    }
  }

  /**
   * An mm_count change: an atomic on the mm's line, cheap if this hart wrote it last (a process
   * that lives on one hart), dear if another did (threads of one process on two harts).
   */
  private void countAtomic(Hart hart, Mm mm) {
    boolean local = atomic(hart, mm.countLine);
    counters
        .hart(hart.id())
        .add(local ? Counter.MM_COUNT_LOCAL_ATOMICS : Counter.MM_COUNT_REMOTE_ATOMICS);
  }

  /** The whole local TLB, as switching without ASIDs (or on an ASID rollover) needs. */
  private void flushAll(Hart hart) {
    hart.mmu().flushAll();
    hart.addCycles(hart.cost().flushAll());
    counters.hart(hart.id()).add(Counter.SWITCH_FLUSH_CYCLES, hart.cost().flushAll());
  }

  private boolean atomic(Hart hart, CacheLine line) {
    long t = hart.cycles();
    boolean local = line.atomic(hart);
    counters.hart(hart.id()).add(Counter.MM_ATOMIC_CYCLES, hart.cycles() - t);
    if (!local) {
      counters.hart(hart.id()).add(Counter.REMOTE_ATOMICS);
    }
    return local;
  }

  /**
   * __mmdrop: the last reference is gone; the root goes. No hart may hold the mm now: exit_mmap's
   * flush made the holders leave (shootdown mode), they held references (refcount), or none held it
   * (off); the active_mm checker verifies it.
   */
  private void freeMm(Hart hart, Mm mm) {
    observer.mmFreed(hart, mm);
    mm.freed = true;
    frames.free(mm.root);
  }

  private void leaveCpumask(Hart hart, Mm mm) {
    atomic(hart, mm.cpumaskLine);
    mm.markUnloadedOn(hart.id());
  }

  // ---- LazyTeardown: what exit_mmap's flush does about harts holding the mm lazily ----

  @Override
  public long reach(long holders) {
    return mode == LazyTlbMode.UNSAFE ? 0 : holders; // unsafe: sends nothing, on purpose
  }

  @Override
  public boolean deferrable() {
    return mode != LazyTlbMode.SHOOTDOWN; // holders must have left before the mm is freed
  }

  @Override
  public boolean freesRoot() {
    return mode == LazyTlbMode.SHOOTDOWN;
  }

  @Override
  public void atHolder(Hart hart, Mm mm, boolean byIpi) {
    if (mode == LazyTlbMode.SHOOTDOWN) {
      TlbState c = states.hart(hart.id());
      if (c.activeMm == mm) {
        if (byIpi) {
          counters.hart(hart.id()).add(Counter.LAZY_TLB_IPIS);
        }
        loadKernel(hart, c);
      }
    }
  }

  /**
   * Loads {@code mm}'s table. As RISC-V Linux's switch_mm: the hart's bit in the mm's cpumask is
   * set every time (an atomic on that line); without ASIDs the previous mm's bit is cleared, the
   * whole TLB being flushed.
   */
  private void load(Hart hart, TlbState cpu, Mm mm) {
    CostModel cost = hart.cost();
    Mm prev = cpu.activeMm;
    int asid;
    if (asids != null) {
      AsidAllocator.Switch s = asids.switchTo(mm, hart.id());
      asid = s.asid();
      if (s.flushAll()) {
        flushAll(hart);
      }
    } else {
      asid = 0;
      mm.asid = 0;
      flushAll(hart);
      if (prev != null) {
        leaveCpumask(hart, prev);
      }
    }
    atomic(hart, mm.cpumaskLine);
    mm.markLoadedOn(hart.id());
    walks.speculate(hart);
    hart.mmu().setSatp(Mmu.makeSatp(mm.root, asid));
    hart.addCycles(cost.satpWrite());
    cpu.activeMm = mm;
  }

  /**
   * Loads the kernel's own table (no user mappings) and forgets the mm. Without ASIDs the kernel's
   * table shares ASID 0 with every user table, so the TLB is flushed, as Linux does on every switch
   * then, and the mm's cpumask forgets this hart.
   */
  private void loadKernel(Hart hart, TlbState cpu) {
    walks.speculate(hart);
    hart.mmu().setSatp(kernelSatp);
    hart.addCycles(hart.cost().satpWrite());
    if (asids != null) {
      asids.leave(hart.id());
    } else {
      flushAll(hart);
      if (cpu.activeMm != null) {
        leaveCpumask(hart, cpu.activeMm);
      }
    }
    if (cpu.lazyRef) {
      cpu.lazyRef = false;
      Mm held = cpu.activeMm;
      cpu.activeMm = null;
      mmdrop(hart, held);
    } else {
      cpu.activeMm = null;
    }
  }
}
