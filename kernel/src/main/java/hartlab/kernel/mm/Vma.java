package hartlab.kernel.mm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A virtual memory area: a page-aligned range {@code [start, end)} of one mm with one set of
 * permissions. Private anonymous areas own the frames mapped in them; a shared anonymous area's
 * frames belong to its {@link SharedAnonMemory}.
 *
 * <p>An area never changes while it is in a tree: a split, merge, mprotect, mremap or brk makes a
 * new area and takes the old one out. Areas are type-stable (Linux's {@code SLAB_TYPESAFE_BY_RCU}
 * vm_area_cachep): one taken out goes back to its {@link VmaPool} and may be handed out again at
 * once, to this mm or another. A lockless reader that found an area in the tree must therefore take
 * a reference ({@link #tryReadLock}) and then re-check what it found: the area's mm, its range, and
 * that it is still attached ({@link VmaLocks#lockVmaUnderRcu}).
 *
 * <p>{@code vmRefcnt}: 0 detached (not in a tree), 1 attached, plus one per reader, plus {@link
 * #VMA_LOCK_OFFSET} while a writer waits for readers to drain. {@code vmLockSeq} equal to the mm's
 * {@code mmLockSeq} means a writer holding the mmap lock has write-locked the area; the mm's next
 * mmap_write_unlock unlocks every such area at once.
 *
 * <p>The identity fields (range, permissions, kind, shared object, mm) are written only while the
 * area is detached, by the writer that allocates it, and published by {@link #markAttached}'s
 * release, which pairs with the acquire in {@link #tryReadLock}.
 */
public final class Vma {
  public static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;

  /** A writer's mark in vm_refcnt: far above any number of readers. */
  static final int VMA_LOCK_OFFSET = 0x4000_0000;

  /** vm_lock_seq of an area no writer has locked in its mm. */
  static final long UNLOCKED_SEQ = -1;

  /** What the area is for, shown in fault reports and /proc/PID/maps. */
  public enum Kind {
    TEXT,
    DATA,
    HEAP,
    STACK,
    /** The signal trampoline's page (Linux's [vdso]). */
    VDSO,
    ANON
  }

  long start;
  long end;
  int prot;
  Kind kind;

  /** Non-null for MAP_SHARED|MAP_ANONYMOUS areas; offset of {@link #start} into it in pages. */
  SharedAnonMemory shared;

  long sharedPageOffset;

  /** VM_DONTCOPY (madvise MADV_DONTFORK): fork leaves the area out of the child. */
  boolean dontCopy;

  /**
   * Non-null for a dead entry ({@link MunmapScheme#DEAD_ENTRY}): what munmap left where areas were;
   * no area for lookups, but its range is not handed out until its munmap's grace period and
   * shootdown are both done. A token of its own, so that a late completion never marks the pooled
   * object's next life.
   */
  DeadEntry dead;

  /** A dead entry's completion, set by whichever of its grace period and shootdown ends last. */
  static final class DeadEntry {
    volatile boolean done;

    /**
     * A MAP_FIXED (or MREMAP_FIXED) caller sleeps for this entry and will run again over its range:
     * only such a call erases it, so the range it unmapped is not handed to another mapping in
     * between. Guarded by the mmap lock.
     */
    boolean claimed;
  }

  /** vm_mm: the address space whose tree holds (or last held) the area. */
  Mm mm;

  /** How many times the pool has handed this object out; names the identity in reports. */
  int generation;

  @SuppressWarnings("unused") // through VM_REFCNT
  private volatile int vmRefcnt;

  volatile long vmLockSeq = UNLOCKED_SEQ;

  private static final VarHandle VM_REFCNT;

  static {
    try {
      VM_REFCNT = MethodHandles.lookup().findVarHandle(Vma.class, "vmRefcnt", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** A detached area that belongs to no mm yet and to no pool (tests, and the pool's own). */
  Vma(long start, long end, int prot, Kind kind, SharedAnonMemory shared, long sharedPageOffset) {
    set(null, start, end, prot, kind, shared, sharedPageOffset);
  }

  /** Gives a detached area its identity. Only its allocator calls this, before attaching it. */
  void set(Mm mm, long start, long end, int prot, Kind kind, SharedAnonMemory shared, long offset) {
    this.mm = mm;
    this.start = start;
    this.end = end;
    this.prot = prot;
    this.kind = kind;
    this.shared = shared;
    this.sharedPageOffset = offset;
    this.dontCopy = false;
    this.dead = null;
    this.vmLockSeq = UNLOCKED_SEQ;
  }

  public long start() {
    return start;
  }

  public long end() {
    return end;
  }

  public int prot() {
    return prot;
  }

  public Kind kind() {
    return kind;
  }

  public boolean isShared() {
    return shared != null;
  }

  /**
   * What names the memory at {@code va} for sharing between address spaces (futex keys): the shared
   * object of a MAP_SHARED area, or null for private memory.
   */
  public Object sharedObject() {
    return shared;
  }

  /** Byte offset of {@code va} into {@link #sharedObject()}. */
  public long sharedOffset(long va) {
    return (sharedPageOffset << 12) + (va - start);
  }

  /**
   * Whether this object is, right now, the area of {@code mm} that covers {@code va}: attached, in
   * that mm's tree at that address. What a user of a type-stable area must have re-validated.
   */
  public boolean isAreaOf(Mm mm, long va) {
    return this.mm == mm && contains(va) && !isDetached() && mm.vmas.find(va) == this;
  }

  /**
   * Whether a writer holding {@code mm}'s mmap lock has write-locked this area and is no longer
   * waiting for readers: a reader that holds a reference now took it without re-checking the lock.
   */
  public boolean writeLockedIn(Mm mm) {
    return vmLockSeq == mm.mmLockSeq && refcnt() < VMA_LOCK_OFFSET;
  }

  /** The pool generation: which of this object's lives it is in. */
  public int generation() {
    return generation;
  }

  boolean contains(long va) {
    return va >= start && va < end;
  }

  /** Whether the area allows an access of this kind ({@link hartlab.mmu.Mmu#FETCH} ...). */
  boolean allows(int access) {
    switch (access) {
      case hartlab.mmu.Mmu.FETCH:
        return (prot & PROT_EXEC) != 0;
      case hartlab.mmu.Mmu.LOAD:
        return (prot & (PROT_READ | PROT_WRITE)) != 0;
      default:
        return (prot & PROT_WRITE) != 0;
    }
  }

  // ---- vm_refcnt ----

  /** Current vm_refcnt (acquire). */
  int refcnt() {
    return (int) VM_REFCNT.getAcquire(this);
  }

  boolean isDetached() {
    return refcnt() == 0;
  }

  /**
   * Put in a tree: 0 to 1 with release, publishing the identity fields written before. The area was
   * detached and unreachable by readers that could take a reference.
   */
  void markAttached() {
    if (!VM_REFCNT.compareAndSet(this, 0, 1)) {
      throw new IllegalStateException("Vma.markAttached: " + this + " is attached");
    }
  }

  /**
   * Taken out of a tree: 1 to 0. Only the writer that write-locked the area calls it; readers that
   * found the area through an old tree may still hold a reference for a moment (they will fail
   * their re-check and let go), so the caller retries while this returns false.
   */
  boolean tryMarkDetached() {
    return VM_REFCNT.compareAndSet(this, 1, 0);
  }

  /**
   * A reader's reference: increment-if-not-zero, refused while a writer's offset is in, with
   * acquire ordering so that the fields read after it are the ones published before the area was
   * attached (the CAS is a full fence; {@code --break vma-acquire} reads the fields before it).
   */
  boolean tryReadLock() {
    int c;
    do {
      c = (int) VM_REFCNT.getAcquire(this);
      if (c == 0 || c >= VMA_LOCK_OFFSET) {
        return false;
      }
    } while (!VM_REFCNT.compareAndSet(this, c, c + 1));
    return true;
  }

  /** Drops a reader's reference (release: the reader's accesses to the area come before it). */
  void readUnlock() {
    VM_REFCNT.getAndAdd(this, -1);
  }

  /** A writer announces itself; readers already in keep their references until they leave. */
  void addWriterOffset() {
    VM_REFCNT.getAndAdd(this, VMA_LOCK_OFFSET);
  }

  void removeWriterOffset() {
    VM_REFCNT.getAndAdd(this, -VMA_LOCK_OFFSET);
  }

  /** Whether only the writer's offset and the attachment are left: every reader has drained. */
  boolean readersDrained() {
    return refcnt() == VMA_LOCK_OFFSET + 1;
  }

  @Override
  public String toString() {
    return String.format(
        "[0x%x-0x%x %s%s%s %s%s]",
        start,
        end,
        (prot & PROT_READ) != 0 ? "r" : "-",
        (prot & PROT_WRITE) != 0 ? "w" : "-",
        (prot & PROT_EXEC) != 0 ? "x" : "-",
        kind.name().toLowerCase(),
        shared != null ? " shared" : "");
  }
}
