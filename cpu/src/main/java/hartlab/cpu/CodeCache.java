package hartlab.cpu;

import hartlab.mmu.PhysicalMemory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Decoded instructions of a machine, per physical page, shared by all its harts.
 *
 * <p>Keyed by physical page, so two address spaces mapping the same frame (fork, shared text) share
 * its decode, and a page stays valid across context switches and TLB flushes: what a decoded page
 * says depends only on the bytes of the frame. It goes stale only when those bytes change, in one
 * of three ways, each with its hook:
 *
 * <ol>
 *   <li>a guest store: every store calls {@link #noteStore} (one array read when the page holds no
 *       decoded code), which drops the page; the storing hart leaves its block and forgets its
 *       cached pages if it dropped code, so its store over the next instruction takes effect at
 *       once (unless another hart's store had already dropped that page: then, as RISC-V allows,
 *       only after this hart's FENCE.I);
 *   <li>the kernel writing guest memory or freeing a frame: it calls {@link #invalidate};
 *   <li>FENCE.I: {@link #invalidateAll} bumps the generation, and each hart re-decodes a page the
 *       next time it enters it. This is what RISC-V promises: another hart's code changes are
 *       visible to a hart after that hart executes FENCE.I. (A hart that already runs from a page
 *       when another hart stores to it may run the old decode until its {@code run} returns or it
 *       executes FENCE.I, like a core with a stale instruction cache.)
 * </ol>
 *
 * <p>Thread-safety: any thread may call any method. {@link #pages} is read and written with plain
 * accesses: a racing reader sees the old page, the new one or none, each of which is a correct
 * decode of the frame at some moment; ordering with the bytes themselves comes from FENCE.I or the
 * kernel's own synchronization (a freed frame is unmapped and shot down before it is freed).
 */
public final class CodeCache {
  private static final VarHandle GENERATION;

  static {
    try {
      GENERATION = MethodHandles.lookup().findVarHandle(CodeCache.class, "generation", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final PhysicalMemory memory;

  /** Decoded page per frame number, or null. Plain accesses, see the class comment. */
  final DecodedPage[] pages;

  /** Bumped by FENCE.I; a page decoded under an older generation is ignored. */
  private volatile int generation;

  public CodeCache(PhysicalMemory memory) {
    this.memory = memory;
    this.pages = new DecodedPage[memory.frames()];
  }

  public PhysicalMemory memory() {
    return memory;
  }

  /**
   * The current decoded page for the frame holding {@code pa} (inside RAM), creating an empty one
   * (every slot still to decode) if there is none or it predates the last FENCE.I.
   */
  DecodedPage page(long pa) {
    int pfn = (int) (pa >>> PhysicalMemory.PAGE_SHIFT);
    DecodedPage p = pages[pfn];
    int gen = generation;
    if (p == null || p.generation != gen) {
      p = new DecodedPage(pa & ~PhysicalMemory.PAGE_MASK, gen);
      pages[pfn] = p;
    }
    return p;
  }

  /**
   * Drops the decoded page containing {@code pa}, if any. For the kernel: frame freed, or written
   * by it.
   */
  public void invalidate(long pa) {
    if (memory.contains(pa, 1)) {
      pages[(int) (pa >>> PhysicalMemory.PAGE_SHIFT)] = null;
    }
  }

  /**
   * Called on every guest store to {@code pa} (inside RAM): drops the page if it holds decoded
   * code.
   */
  public void noteStore(long pa) {
    storeHitsCode(pa);
  }

  /**
   * {@link #noteStore} that says whether it dropped a decoded page, so the hart can leave a block
   * whose code may have just changed. The common case is one array read and a null test.
   */
  boolean storeHitsCode(long pa) {
    int pfn = (int) (pa >>> PhysicalMemory.PAGE_SHIFT);
    if (pages[pfn] == null) {
      return false;
    }
    pages[pfn] = null;
    return true;
  }

  /** FENCE.I: every decoded page is stale from now on. O(1): pages are replaced lazily. */
  public void invalidateAll() {
    GENERATION.getAndAdd(this, 1);
  }

  /** Frames that currently hold a decoded page (of any generation); for statistics and tests. */
  public int decodedPages() {
    int n = 0;
    for (DecodedPage p : pages) {
      n += p == null ? 0 : 1;
    }
    return n;
  }
}
