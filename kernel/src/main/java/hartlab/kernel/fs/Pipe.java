package hartlab.kernel.fs;

import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.smp.WaitQueue;
import hartlab.mmu.PhysicalMemory;

/**
 * A pipe's buffer and its two sets of waiters. The data lives in guest frames, as Linux's pipe
 * pages do: a ring of page slots, each holding a frame only while it holds bytes not yet read, so
 * an empty pipe holds no memory and a full one {@link #CAPACITY} bytes (one page more when its
 * contents straddle pages). Frames come from kernel memory ({@link KernelMemory#allocPage}); the
 * pipe itself is charged as {@link KernelMemory.Kind#PIPE} from pipe2 until its last end closes.
 *
 * <p>All fields are guarded by the pipe's monitor, which is also the lock the waiters' conditions
 * are checked under.
 */
final class Pipe {
  /** Linux's default pipe size: 16 pages. */
  static final int CAPACITY = 64 * 1024;

  /** Writes up to this size are atomic: all of it or nothing (POSIX PIPE_BUF). */
  static final int PIPE_BUF = 4096;

  private static final int PAGE = PhysicalMemory.PAGE_SIZE;

  /** Page slots: a full pipe whose first byte is not at a page start spans one page more. */
  private static final int SLOTS = CAPACITY / PAGE + 1;

  final WaitQueue readers = new WaitQueue();
  final WaitQueue writers = new WaitQueue();
  int readEnds;
  int writeEnds;

  private final KernelMemory kmem;
  private final PhysicalMemory memory;

  /**
   * The frame behind each slot, 0 when none; page number p of the stream lives in slot p % SLOTS.
   */
  private final long[] frames = new long[SLOTS];

  /** Bytes ever read and written: the unread ones are [head, tail). */
  private long head;

  private long tail;
  private boolean freed;

  Pipe(KernelMemory kmem, PhysicalMemory memory) {
    this.kmem = kmem;
    this.memory = memory;
  }

  int readableBytes() {
    return (int) (tail - head);
  }

  int space() {
    return CAPACITY - readableBytes();
  }

  /**
   * Makes sure frames back the next {@code n} bytes to be written (n at most {@link #space}) and
   * returns how many are backed: fewer than {@code n} when kernel memory gave out.
   */
  int reserve(int n) {
    long end = tail + n;
    for (long page = tail / PAGE; page * PAGE < end; page++) {
      int slot = (int) (page % SLOTS);
      if (frames[slot] == 0) {
        long pa = kmem.allocPage();
        if (pa < 0) {
          return (int) Math.max(0, page * PAGE - tail);
        }
        frames[slot] = pa;
      }
    }
    return n;
  }

  /** Appends {@code n} bytes of {@code data}, all of them backed by {@link #reserve}. */
  void write(byte[] data, int off, int n) {
    while (n > 0) {
      int inPage = (int) (tail % PAGE);
      int k = Math.min(n, PAGE - inPage);
      memory.putBytes(frames[(int) ((tail / PAGE) % SLOTS)] + inPage, data, off, k);
      tail += k;
      off += k;
      n -= k;
    }
  }

  /** Moves the first {@code dst.length} unread bytes into {@code dst}, freeing emptied pages. */
  void read(byte[] dst) {
    int off = 0;
    int n = dst.length;
    while (n > 0) {
      int inPage = (int) (head % PAGE);
      int k = Math.min(n, PAGE - inPage);
      int slot = (int) ((head / PAGE) % SLOTS);
      memory.getBytes(frames[slot] + inPage, dst, off, k);
      head += k;
      off += k;
      n -= k;
      if (head % PAGE == 0) {
        freeSlot(slot); // read to its end: the writer is past this page too
      }
    }
    if (head == tail) {
      releasePages(); // empty: start the next write at a page start, holding nothing meanwhile
    }
  }

  /** Drops every page and the bytes in them (empty, or no reader left to read them). */
  void releasePages() {
    for (int s = 0; s < SLOTS; s++) {
      freeSlot(s);
    }
    head = 0;
    tail = 0;
  }

  /** Both ends are closed: the pipe's pages and its own charge go back. Idempotent. */
  void free() {
    if (!freed) {
      freed = true;
      releasePages();
      kmem.uncharge(KernelMemory.Kind.PIPE);
    }
  }

  private void freeSlot(int slot) {
    if (frames[slot] != 0) {
      kmem.freePage(frames[slot]);
      frames[slot] = 0;
    }
  }
}
