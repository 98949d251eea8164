package hartlab.kernel.mm;

import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import hartlab.loader.AuxValues;
import hartlab.loader.ElfImage;
import hartlab.loader.ElfSegment;
import hartlab.loader.InitialStack;
import hartlab.loader.StackImage;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.PageTable;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.Pte;
import java.util.List;
import java.util.TreeSet;

/**
 * Builds a fresh mm from an ELF image (Linux's fs/binfmt_elf.c load_elf_binary): one area per run
 * of pages with equal permissions, file bytes copied in, bss and heap left to demand-zero paging,
 * an 8 MiB stack holding argv, envp and the aux vector, and above it the signal trampoline's page.
 *
 * <p>Works on the mm through its page table directly, not through a hart: the mm is not running
 * anywhere yet.
 */
public final class BinfmtElf {
  /** What a task needs to start running the new image. */
  public record Started(Mm mm, long entry, long sp) {}

  /**
   * Exec could not build the image: maps to an errno for execve, or to an unusable image at boot.
   */
  public static final class ExecFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public ExecFailure(int errno, String message) {
      super(message);
      this.errno = errno;
    }

    public int errno() {
      return errno;
    }
  }

  /** AT_HWCAP: the extensions the harts implement. */
  private static final long HWCAP = AuxValues.hwcapForIsa(AuxValues.RV64GC);

  /** {@code addi a7, zero, 139} (rt_sigreturn) and {@code ecall}, little-endian. */
  private static final byte[] SIGRETURN_CODE = {
    (byte) 0x93, 0x08, (byte) 0xb0, 0x08, 0x73, 0x00, 0x00, 0x00
  };

  private final PhysicalMemory memory;
  private final FrameRefs refs;
  private final FrameAllocator frames;
  private final PageTable pageTable;
  private final Mms mms;

  public BinfmtElf(
      PhysicalMemory memory, FrameRefs refs, FrameAllocator frames, PageTable pageTable, Mms mms) {
    this.memory = memory;
    this.refs = refs;
    this.frames = frames;
    this.pageTable = pageTable;
    this.mms = mms;
  }

  /**
   * Loads {@code image} into a new mm and lays out its stack. On failure everything allocated is
   * released again.
   */
  public Started load(
      ElfImage image, List<String> argv, List<String> envp, String execFn, byte[] random16)
      throws ExecFailure {
    ElfImage placed;
    try {
      placed = image.isPositionIndependent() ? image.relocate(Mm.ET_DYN_BASE) : image;
    } catch (IllegalArgumentException e) {
      // The loader refuses such images already; this keeps a bad one an exec failure regardless.
      throw new ExecFailure(Errno.ENOEXEC, "cannot place the image: " + e.getMessage());
    }
    Mm mm = mms.create();
    if (mm == null) {
      throw new ExecFailure(Errno.ENOMEM, "out of guest memory while creating the page table");
    }
    try {
      mapSegments(mm, placed);
      long heapStart = Mmap.pageUp(placed.highestVaddrEnd());
      mm.startBrk = heapStart;
      mm.brk = heapStart;
      if (!mm.vmas.isFree(Mm.STACK_TOP - Mm.STACK_SIZE, Mm.STACK_TOP)) {
        throw new ExecFailure(Errno.ENOEXEC, "a segment overlaps the stack area");
      }
      mm.vmas.insert(
          mm.vmas.allocate(
              mm,
              Mm.STACK_TOP - Mm.STACK_SIZE,
              Mm.STACK_TOP,
              Vma.PROT_READ | Vma.PROT_WRITE,
              Vma.Kind.STACK,
              null,
              0));
      mm.vmas.insert(
          new Vma(
              Mm.SIGRETURN_TRAMPOLINE,
              Mm.SIGRETURN_TRAMPOLINE + PhysicalMemory.PAGE_SIZE,
              Vma.PROT_READ | Vma.PROT_EXEC,
              Vma.Kind.VDSO,
              null,
              0));
      write(mm, Mm.SIGRETURN_TRAMPOLINE, SIGRETURN_CODE);
      AuxValues aux = AuxValues.forImage(placed, HWCAP);
      StackImage stack;
      try {
        stack = InitialStack.build(Mm.STACK_TOP, argv, envp, execFn, aux, random16);
      } catch (IllegalArgumentException e) {
        if (e.getMessage() != null && e.getMessage().startsWith(InitialStack.E2BIG_MESSAGE)) {
          throw new ExecFailure(Errno.E2BIG, e.getMessage());
        }
        throw e;
      }
      if (Mm.STACK_TOP - stack.sp() > Mm.STACK_SIZE / 4) {
        throw new ExecFailure(Errno.E2BIG, "argument list too long");
      }
      write(mm, stack.sp(), stack.bytes());
      return new Started(mm, placed.entry(), stack.sp());
    } catch (SyscallError e) {
      release(mm);
      throw new ExecFailure(e.errno(), "out of kernel memory for the image's areas");
    } catch (ExecFailure | RuntimeException e) {
      release(mm);
      throw e;
    }
  }

  /**
   * Creates the areas of the PT_LOAD segments. Two segments may share a boundary page; that page
   * gets the union of their permissions, like the overlapping mmaps Linux makes.
   */
  private void mapSegments(Mm mm, ElfImage image) throws ExecFailure {
    TreeSet<Long> cuts = new TreeSet<>();
    for (ElfSegment s : image.loadSegments()) {
      cuts.add(Mmap.pageDown(s.vaddr()));
      cuts.add(Mmap.pageUp(s.vaddr() + s.memSize()));
    }
    Long from = null;
    for (long cut : cuts) {
      if (from != null) {
        int prot = protOver(image, from, cut);
        if (prot >= 0) {
          mm.vmas.insert(
              mm.vmas.allocate(
                  mm,
                  from,
                  cut,
                  prot,
                  (prot & Vma.PROT_EXEC) != 0 ? Vma.Kind.TEXT : Vma.Kind.DATA,
                  null,
                  0));
        }
      }
      from = cut;
    }
    for (ElfSegment s : image.loadSegments()) {
      byte[] data = new byte[(int) s.fileSize()];
      image.copySegmentData(s, data, 0);
      write(mm, s.vaddr(), data);
    }
  }

  /** Union of permissions of the segments covering {@code [from, to)}, or -1 if none does. */
  private static int protOver(ElfImage image, long from, long to) {
    int prot = -1;
    for (ElfSegment s : image.loadSegments()) {
      long start = Mmap.pageDown(s.vaddr());
      long end = Mmap.pageUp(s.vaddr() + s.memSize());
      if (start < to && end > from) {
        int p =
            (s.readable() ? Vma.PROT_READ : 0)
                | (s.writable() ? Vma.PROT_WRITE : 0)
                | (s.executable() ? Vma.PROT_EXEC : 0);
        prot = prot < 0 ? p : prot | p;
      }
    }
    return prot;
  }

  /**
   * Copies bytes into the mm at {@code va}, mapping zeroed frames with their area's permissions.
   */
  private void write(Mm mm, long va, byte[] data) throws ExecFailure {
    int off = 0;
    while (off < data.length) {
      long page = Mmap.pageDown(va + off);
      int inPage = (int) ((va + off) - page);
      int n = Math.min(data.length - off, PhysicalMemory.PAGE_SIZE - inPage);
      long frame = frameAt(mm, page);
      memory.putBytes(frame + inPage, data, off, n);
      off += n;
    }
  }

  private long frameAt(Mm mm, long page) throws ExecFailure {
    long slot = pageTable.leafSlot(mm.root, page, true);
    if (slot < 0) {
      throw new ExecFailure(Errno.ENOMEM, "out of guest memory while loading the image");
    }
    long pte = pageTable.get(slot);
    if (Pte.isValid(pte)) {
      return Pte.pa(pte);
    }
    long frame = refs.allocate();
    if (frame < 0) {
      throw new ExecFailure(Errno.ENOMEM, "out of guest memory while loading the image");
    }
    Vma vma = mm.vmas.find(page);
    pageTable.set(slot, Pte.make(frame, PageFaults.pteFlags(vma.prot)));
    return frame;
  }

  /** Frees an mm that never ran: its areas, its frames, its page tables and its root. */
  private void release(Mm mm) {
    mm.vmas.clear();
    pageTable.freeBelowRoot(mm.root, (va, slot, pte) -> refs.put(Pte.pa(pte)));
    frames.free(mm.root);
  }
}
