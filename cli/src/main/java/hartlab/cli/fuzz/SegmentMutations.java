package hartlab.cli.fuzz;

import static hartlab.cli.fuzz.ElfFields.E_TYPE;
import static hartlab.cli.fuzz.ElfFields.PHDR_SIZE;
import static hartlab.cli.fuzz.ElfFields.PT_LOAD;
import static hartlab.cli.fuzz.ElfFields.P_ALIGN;
import static hartlab.cli.fuzz.ElfFields.P_FILESZ;
import static hartlab.cli.fuzz.ElfFields.P_FLAGS;
import static hartlab.cli.fuzz.ElfFields.P_MEMSZ;
import static hartlab.cli.fuzz.ElfFields.P_OFFSET;
import static hartlab.cli.fuzz.ElfFields.P_TYPE;
import static hartlab.cli.fuzz.ElfFields.P_VADDR;
import static hartlab.cli.fuzz.Mutation.ET_DYN_BASE;
import static hartlab.cli.fuzz.Mutation.MMAP_BASE;
import static hartlab.cli.fuzz.Mutation.PAGE;
import static hartlab.cli.fuzz.Mutation.STACK_BOTTOM;
import static hartlab.cli.fuzz.Mutation.TASK_SIZE;
import static hartlab.cli.fuzz.Mutation.pickOf;
import static hartlab.cli.fuzz.Mutation.pickPhdr;
import static hartlab.cli.fuzz.Mutation.setPhdr;

import hartlab.loader.UserSpace;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mutations of program headers: every field at its edges, segments made to overlap, entries copied,
 * and extra entries (PT_INTERP, PT_DYNAMIC, an executable stack, PT_TLS, PT_PHDR, PT_LOAD).
 */
final class SegmentMutations {
  private SegmentMutations() {}

  static void addTo(ElfMutator m) {
    m.add(
        4,
        (f, r) ->
            setPhdr(
                f,
                r,
                P_TYPE,
                4,
                pickOf(
                    r,
                    ElfFields.PT_NULL,
                    PT_LOAD,
                    ElfFields.PT_DYNAMIC,
                    ElfFields.PT_INTERP,
                    ElfFields.PT_NOTE,
                    ElfFields.PT_SHLIB,
                    ElfFields.PT_PHDR,
                    ElfFields.PT_TLS,
                    ElfFields.PT_GNU_EH_FRAME,
                    ElfFields.PT_GNU_STACK,
                    ElfFields.PT_GNU_RELRO,
                    0x70000003,
                    r.nextInt())));
    m.add(3, (f, r) -> setPhdr(f, r, P_FLAGS, 4, pickOf(r, 0, 1, 2, 3, 4, 5, 6, 7, r.nextInt())));
    m.add(
        4,
        (f, r) -> {
          int i = pickPhdr(f, r);
          long off = f.phdrField(i, P_OFFSET, 8);
          long v =
              pickOf(
                  r,
                  0,
                  f.length(),
                  f.length() + 1,
                  f.length() - f.phdrField(i, P_FILESZ, 8),
                  1L << 63,
                  -1,
                  r.nextInt(f.length() + 1),
                  r.nextInt(f.length() + 1) & ~(PAGE - 1),
                  off + PAGE * (r.nextInt(5) - 2));
          return setPhdr(f, i, P_OFFSET, 8, v);
        });
    m.add(10, SegmentMutations::vaddr);
    m.add(
        4,
        (f, r) -> {
          int i = pickPhdr(f, r);
          long memsz = f.phdrField(i, P_MEMSZ, 8);
          long v =
              pickOf(
                  r,
                  0,
                  memsz,
                  memsz + 1,
                  memsz * 2,
                  f.length(),
                  f.length() + 1,
                  1L << 63,
                  r.nextInt(1 << 16));
          return setPhdr(f, i, P_FILESZ, 8, v);
        });
    m.add(
        5,
        (f, r) -> {
          int i = pickPhdr(f, r);
          long filesz = f.phdrField(i, P_FILESZ, 8);
          long memsz = f.phdrField(i, P_MEMSZ, 8);
          long v =
              pickOf(
                  r,
                  0,
                  filesz,
                  filesz - 1,
                  1L << 30,
                  (1L << 30) + 1,
                  (1L << 30) - PAGE,
                  TASK_SIZE,
                  1L << 63,
                  -1,
                  memsz + PAGE * (1 + r.nextInt(1 << 12)),
                  r.nextInt(1 << 20));
          return setPhdr(f, i, P_MEMSZ, 8, v);
        });
    m.add(
        2,
        (f, r) ->
            setPhdr(
                f,
                r,
                P_ALIGN,
                8,
                pickOf(r, 0, 1, 2, 3, PAGE, 0x10000, 0x200000, 1L << 63, r.nextLong())));
    m.add(
        3,
        (f, r) -> {
          // Make two PT_LOAD segments overlap, or touch, in memory.
          List<Integer> loads = f.phdrsOfType(PT_LOAD);
          if (loads.size() < 2) {
            return null;
          }
          int a = loads.get(r.nextInt(loads.size()));
          int b = loads.get(r.nextInt(loads.size()));
          if (a == b) {
            return null;
          }
          long target = f.phdrField(b, P_VADDR, 8) + PAGE * (r.nextInt(3) - 1);
          long v = (target & ~(PAGE - 1)) | (f.phdrField(a, P_OFFSET, 8) & (PAGE - 1));
          f.putPhdrField(a, P_VADDR, 8, v);
          return String.format("phdr[%d].p_vaddr = 0x%x (onto phdr[%d])", a, v, b);
        });
    m.add(
        2,
        (f, r) -> {
          int n = Math.min(f.phnum(), 64);
          int a = r.nextInt(Math.max(1, n));
          int b = r.nextInt(Math.max(1, n));
          if (a == b || f.phdr(a) < 0 || f.phdr(b) < 0) {
            return null;
          }
          byte[] bytes = f.bytes();
          System.arraycopy(bytes, f.phdr(a), bytes, f.phdr(b), PHDR_SIZE);
          return String.format("phdr[%d] = copy of phdr[%d]", b, a);
        });
    m.add(6, SegmentMutations::addProgramHeader);
  }

  /**
   * p_vaddr at the edges of user space: page zero, right below and into the stack area, the guard
   * page, above 2^38, the mmap area, ET_DYN_BASE, or random; mostly with the page offset of
   * p_offset kept, since any other is refused at once.
   */
  private static String vaddr(ElfFields f, SplittableRandom r) {
    int i = pickPhdr(f, r);
    long memsz = f.phdrField(i, P_MEMSZ, 8);
    long span = (Math.max(0, Math.min(memsz, 1L << 32)) + PAGE - 1) & ~(PAGE - 1);
    long pages = PAGE * r.nextInt(4);
    long bias = f.get(E_TYPE, 2) == ElfFields.ET_DYN ? ET_DYN_BASE : 0;
    String[] names = {
      "page zero",
      "low",
      "just below the stack",
      "into the stack",
      "inside the stack",
      "guard page",
      "top of user space",
      "above user space",
      "mmap area",
      "ET_DYN_BASE",
      "random",
    };
    int k = r.nextInt(names.length);
    long v;
    switch (k) {
      case 0:
        v = r.nextInt((int) PAGE);
        break;
      case 1:
        v = PAGE * (1 + r.nextInt(16));
        break;
      case 2:
        v = STACK_BOTTOM - bias - span - pages;
        break;
      case 3:
        v = STACK_BOTTOM - bias - span + PAGE + pages;
        break;
      case 4:
        v = STACK_BOTTOM - bias + PAGE * r.nextInt(2048);
        break;
      case 5:
        v = UserSpace.STACK_TOP - bias;
        break;
      case 6:
        v = TASK_SIZE - bias - span - pages;
        break;
      case 7:
        v = TASK_SIZE - bias + pages - PAGE;
        break;
      case 8:
        v = MMAP_BASE - bias - span - pages;
        break;
      case 9:
        v = ET_DYN_BASE - bias + pages;
        break;
      default:
        v = r.nextLong();
        break;
    }
    if (r.nextInt(8) > 0) {
      v = (v & ~(PAGE - 1)) | (f.phdrField(i, P_OFFSET, 8) & (PAGE - 1));
    }
    f.putPhdrField(i, P_VADDR, 8, v);
    return String.format("phdr[%d].p_vaddr = 0x%x (%s)", i, v, names[k]);
  }

  /** One more entry: PT_INTERP, PT_DYNAMIC, an executable stack, TLS, PT_PHDR or a PT_LOAD. */
  private static String addProgramHeader(ElfFields f, SplittableRandom r) {
    if (f.phnum() > 4096) {
      return null;
    }
    int len = f.length();
    long off = r.nextInt(Math.max(1, len));
    long size = r.nextInt(Math.max(1, Math.min(len - (int) off, 4096)));
    byte[] e;
    String what;
    switch (r.nextInt(7)) {
      case 0:
        e = ElfFields.entry(ElfFields.PT_INTERP, 4, off, 0, size, size);
        what = "PT_INTERP";
        break;
      case 1:
        e = ElfFields.entry(ElfFields.PT_DYNAMIC, 6, off, 0x20000 + (off & 0xfff), size, size);
        what = "PT_DYNAMIC";
        break;
      case 2:
        e = ElfFields.entry(ElfFields.PT_GNU_STACK, 7, 0, 0, 0, 0);
        what = "PT_GNU_STACK RWX";
        break;
      case 3:
        e = ElfFields.entry(ElfFields.PT_TLS, 4, off, 0x13000, size, size + 64);
        what = "PT_TLS";
        break;
      case 4:
        e = ElfFields.entry(ElfFields.PT_PHDR, 4, f.phoff(), 0x10000 + f.phoff(), 56, 56);
        what = "PT_PHDR";
        break;
      case 5:
        {
          long v = pickOf(r, STACK_BOTTOM - PAGE, STACK_BOTTOM, MMAP_BASE - PAGE, PAGE, 0x20000000);
          e = ElfFields.entry(PT_LOAD, 6, 0, v, 0, PAGE * (1 + r.nextInt(64)));
          what = String.format("PT_LOAD bss at 0x%x", v);
          break;
        }
      default:
        {
          long v = 0x40000000L + (off & ~(PAGE - 1));
          e = ElfFields.entry(PT_LOAD, 5, off & ~(PAGE - 1), v, size, size + PAGE);
          what = String.format("PT_LOAD of file bytes at 0x%x", v);
          break;
        }
    }
    f.appendProgramHeader(e);
    return "added " + what + " (table moved to the end of the file)";
  }
}
