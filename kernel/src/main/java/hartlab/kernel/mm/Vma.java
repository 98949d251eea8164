package hartlab.kernel.mm;

/**
 * A virtual memory area: a page-aligned range {@code [start, end)} of one mm with one set of
 * permissions. Private anonymous areas own the frames mapped in them; a shared anonymous area's
 * frames belong to its {@link SharedAnonMemory}.
 *
 * <p>Guarded by the owning mm's lock: fields change only while it is held for writing.
 */
public final class Vma {
  public static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;

  /** What the area is for, shown in fault reports and /proc-style dumps. */
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
  final Kind kind;

  /** Non-null for MAP_SHARED|MAP_ANONYMOUS areas; offset of {@link #start} into it in pages. */
  final SharedAnonMemory shared;

  long sharedPageOffset;

  Vma(long start, long end, int prot, Kind kind, SharedAnonMemory shared, long sharedPageOffset) {
    this.start = start;
    this.end = end;
    this.prot = prot;
    this.kind = kind;
    this.shared = shared;
    this.sharedPageOffset = sharedPageOffset;
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

  /** An identical area for another mm (fork); a shared area's caller retains the shared object. */
  Vma copy() {
    return new Vma(start, end, prot, kind, shared, sharedPageOffset);
  }

  /** The part of this area from {@code at} on, as a new area; this one now ends at {@code at}. */
  Vma splitAt(long at) {
    Vma tail = new Vma(at, end, prot, kind, shared, sharedPageOffset + ((at - start) >>> 12));
    if (shared != null) {
      shared.retain();
    }
    end = at;
    return tail;
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
