package hartlab.kernel.tlb;

import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.Mmap;
import hartlab.kernel.smp.Ipi;
import hartlab.kernel.smp.Ipis;
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
public final class MmSwitch {
  private final LazyTlbMode mode;

  /** Null when ASIDs are off: every switch then flushes the whole TLB. */
  private final AsidAllocator asids;

  private final long kernelSatp;
  private final FrameAllocator frames;
  private final Mmap mmap;
  private final TlbFlush tlbFlush;
  private final TlbStates states;
  private final Ipis ipis;
  private final SpeculativeWalks walks;
  private final TlbObserver observer;

  public MmSwitch(
      LazyTlbMode mode,
      AsidAllocator asids,
      long kernelSatp,
      FrameAllocator frames,
      Mmap mmap,
      TlbFlush tlbFlush,
      TlbStates states,
      Ipis ipis,
      SpeculativeWalks walks,
      TlbObserver observer) {
    this.mode = mode;
    this.asids = asids;
    this.kernelSatp = kernelSatp;
    this.frames = frames;
    this.mmap = mmap;
    this.tlbFlush = tlbFlush;
    this.states = states;
    this.ipis = ipis;
    this.walks = walks;
    this.observer = observer;
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
    tlbFlush.catchUp(hart, next);
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

  public void mmget(Mm mm) {
    mm.users.incrementAndGet();
  }

  /** Drops a user; the last one tears the mappings down and drops the users' mm_count reference. */
  public void mmput(Hart hart, Mm mm) {
    if (mm.users.decrementAndGet() == 0) {
      exitMmap(hart, mm);
      mmdrop(hart, mm);
    }
  }

  private void mmgrab(Hart hart, Mm mm) {
    chargeRefcount(hart);
    mm.count.incrementAndGet();
  }

  private void mmdrop(Hart hart, Mm mm) {
    chargeRefcount(hart);
    if (mm.count.decrementAndGet() == 0) {
      freeMm(hart, mm);
    }
  }

  /** In refcount mode every mm_count change is an atomic on a line last written elsewhere. */
  private void chargeRefcount(Hart hart) {
    if (mode == LazyTlbMode.REFCOUNT) {
      hart.addCycles(hart.cost().remoteAtomic());
    }
  }

  /**
   * exit_mmap: no task uses the mm now. Unmapping the whole space also unhooks every page-table
   * page below the root, freed once the shootdown releases them; the root stays for lazy harts.
   */
  private void exitMmap(Hart hart, Mm mm) {
    mmap.unmapLocked(hart, mm, 0, Mm.TASK_SIZE);
  }

  /** __mmdrop: the last reference is gone; free the root once no hart can have it loaded. */
  private void freeMm(Hart hart, Mm mm) {
    if (mode == LazyTlbMode.SHOOTDOWN) {
      Ipi.Call leave =
          target -> {
            TlbState c = states.hart(target.id());
            if (c.activeMm == mm) {
              loadKernel(target, c);
            }
          };
      long mask = mm.cpumask.get();
      if ((mask & (1L << hart.id())) != 0) {
        leave.run(hart);
      }
      ipis.send(hart, mask & ~(1L << hart.id()), leave, "lazy-tlb shootdown of " + mm, true);
    }
    mm.freed = true;
    frames.free(mm.root);
  }

  private void load(Hart hart, TlbState cpu, Mm mm) {
    CostModel cost = hart.cost();
    int asid;
    if (asids != null) {
      AsidAllocator.Switch s = asids.switchTo(mm, hart.id());
      asid = s.asid();
      if (s.flushAll()) {
        hart.mmu().flushAll();
        hart.addCycles(cost.flushAll());
      }
    } else {
      asid = 0;
      mm.asid = 0;
      hart.mmu().flushAll();
      hart.addCycles(cost.flushAll());
    }
    mm.markLoadedOn(hart.id());
    walks.speculate(hart);
    hart.mmu().setSatp(Mmu.makeSatp(mm.root, asid));
    hart.addCycles(cost.satpWrite());
    cpu.activeMm = mm;
  }

  /** Loads the kernel's own table (no user mappings) and forgets the mm. */
  private void loadKernel(Hart hart, TlbState cpu) {
    walks.speculate(hart);
    hart.mmu().setSatp(kernelSatp);
    hart.addCycles(hart.cost().satpWrite());
    if (asids != null) {
      asids.leave(hart.id());
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
