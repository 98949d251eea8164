package hartlab.cpu;

import hartlab.mmu.PhysicalMemory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

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
  /**
   * Decoded pages kept at once, at most (8 MiB of guest code): a decoded page takes 16 KiB of host
   * heap, four times its frame, so a guest that runs code from all of a large RAM would otherwise
   * make the heap four times the guest. Past the cap a clock hand drops some other page, which is
   * decoded again if it runs again.
   */
  public static final int MAX_DECODED_PAGES = 2048;

  private static final VarHandle GENERATION;
  private static final VarHandle PAGES = MethodHandles.arrayElementVarHandle(DecodedPage[].class);

  static {
    try {
      GENERATION = MethodHandles.lookup().findVarHandle(CodeCache.class, "generation", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final PhysicalMemory memory;

  /**
   * Decoded page per frame number, or null. Plain reads, see the class comment; a page is put in or
   * taken out with an atomic swap, so that {@link #live} counts exactly.
   */
  final DecodedPage[] pages;

  /** Non-null entries of {@link #pages}. */
  private final AtomicInteger live = new AtomicInteger();

  /** Where eviction looks next; racy: any frame number is a fine place to start. */
  private int hand;

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
      if (PAGES.getAndSet(pages, pfn, p) == null && live.incrementAndGet() > MAX_DECODED_PAGES) {
        evictOther(pfn);
      }
    }
    return p;
  }

  /** Drops one decoded page other than frame {@code keep}'s. */
  private void evictOther(int keep) {
    int n = pages.length;
    for (int i = 0; i < n; i++) {
      int f = hand;
      hand = f + 1 == n ? 0 : f + 1;
      if (f != keep && pages[f] != null && drop(f)) {
        return;
      }
    }
  }

  /** Takes frame {@code pfn}'s decoded page out; whether there was one. */
  private boolean drop(int pfn) {
    if (PAGES.getAndSet(pages, pfn, null) == null) {
      return false;
    }
    live.decrementAndGet();
    return true;
  }

  /**
   * Drops the decoded page containing {@code pa}, if any. For the kernel: frame freed, or written
   * by it.
   */
  public void invalidate(long pa) {
    if (memory.contains(pa, 1)) {
      int pfn = (int) (pa >>> PhysicalMemory.PAGE_SHIFT);
      if (pages[pfn] != null) {
        drop(pfn);
      }
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
    drop(pfn);
    return true;
  }

  /** FENCE.I: every decoded page is stale from now on. O(1): pages are replaced lazily. */
  public void invalidateAll() {
    GENERATION.getAndAdd(this, 1);
  }

  /** Frames that currently hold a decoded page (of any generation); for statistics and tests. */
  public int decodedPages() {
    return live.get();
  }
}
