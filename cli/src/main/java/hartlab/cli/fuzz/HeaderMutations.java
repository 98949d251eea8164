package hartlab.cli.fuzz;

import static hartlab.cli.fuzz.ElfFields.E_ENTRY;
import static hartlab.cli.fuzz.ElfFields.E_PHNUM;
import static hartlab.cli.fuzz.ElfFields.E_PHOFF;
import static hartlab.cli.fuzz.ElfFields.E_TYPE;
import static hartlab.cli.fuzz.ElfFields.PHDR_SIZE;
import static hartlab.cli.fuzz.ElfFields.PT_LOAD;
import static hartlab.cli.fuzz.ElfFields.P_MEMSZ;
import static hartlab.cli.fuzz.ElfFields.P_VADDR;
import static hartlab.cli.fuzz.Mutation.PAGE;
import static hartlab.cli.fuzz.Mutation.STACK_BOTTOM;
import static hartlab.cli.fuzz.Mutation.TASK_SIZE;
import static hartlab.cli.fuzz.Mutation.pickOf;
import static hartlab.cli.fuzz.Mutation.set;

import java.util.List;
import java.util.SplittableRandom;

/** Mutations of the ELF header: identification, type, machine, entry point, table fields. */
final class HeaderMutations {
  private HeaderMutations() {}

  static void addTo(ElfMutator m) {
    m.add(
        4,
        (f, r) -> {
          int[][] choices = {
            {ElfFields.EI_CLASS, 0, 1, 3, 255},
            {ElfFields.EI_DATA, 0, 2, 3, 255},
            {ElfFields.EI_VERSION, 0, 2, 255},
            {ElfFields.EI_OSABI, 3, 6, 9, 97, 255},
            {ElfFields.EI_ABIVERSION, 1, 255},
            {r.nextInt(4), r.nextInt(256)},
          };
          int[] c = choices[r.nextInt(choices.length)];
          int v = c[1 + r.nextInt(c.length - 1)];
          f.put(c[0], 1, v);
          return String.format("e_ident[%d] = %d", c[0], v);
        });
    m.add(
        5,
        (f, r) -> {
          long v =
              r.nextBoolean()
                  ? ElfFields.ET_DYN
                  : pickOf(r, 0, 1, 2, 4, 0xfe00, 0xff00, 0xffff, r.nextInt(0x10000));
          f.put(E_TYPE, 2, v);
          return "e_type = " + v;
        });
    m.add(2, (f, r) -> set(f, ElfFields.E_MACHINE, 2, pickOf(r, 0, 3, 62, 183, 258)));
    m.add(1, (f, r) -> set(f, ElfFields.E_VERSION, 4, pickOf(r, 0, 2, 0xffffffffL)));
    m.add(6, HeaderMutations::entryPoint);
    m.add(
        4,
        (f, r) ->
            set(
                f,
                E_PHOFF,
                8,
                pickOf(
                    r,
                    0,
                    8,
                    63,
                    65,
                    f.length() - (long) PHDR_SIZE * f.phnum(),
                    f.length() - 1,
                    f.length(),
                    f.length() + PHDR_SIZE,
                    1L << 63,
                    -1,
                    r.nextInt(Math.max(1, f.length())))));
    m.add(
        4,
        (f, r) ->
            set(
                f,
                E_PHNUM,
                2,
                pickOf(
                    r, 0, 1, f.phnum() - 1, f.phnum() + 1, 255, 256, 257, 0xffff, r.nextInt(64))));
    m.add(2, (f, r) -> set(f, ElfFields.E_PHENTSIZE, 2, pickOf(r, 0, 32, 55, 57, 64, 0xffff)));
    m.add(1, (f, r) -> set(f, ElfFields.E_EHSIZE, 2, pickOf(r, 0, 52, 63, 65, 0xffff)));
    m.add(
        2,
        (f, r) ->
            set(f, ElfFields.E_FLAGS, 4, pickOf(r, 0, 1, 2, 4, 5, 6, 8, 0x10, r.nextInt() & 0xff)));
    m.add(
        3,
        (f, r) -> {
          switch (r.nextInt(4)) {
            case 0:
              return set(
                  f,
                  ElfFields.E_SHOFF,
                  8,
                  pickOf(r, 0, f.length(), f.length() - 64, 1L << 63, r.nextInt(f.length() + 1)));
            case 1:
              return set(f, ElfFields.E_SHNUM, 2, pickOf(r, 0, 1, 0xffff, r.nextInt(100)));
            case 2:
              return set(f, ElfFields.E_SHENTSIZE, 2, pickOf(r, 0, 40, 65, 0xffff));
            default:
              return set(f, ElfFields.E_SHSTRNDX, 2, pickOf(r, 0, 0xfeff, 0xffff, r.nextInt(100)));
          }
        });
  }

  /** e_entry inside a segment (any offset, odd, not executable) or outside every one. */
  private static String entryPoint(ElfFields f, SplittableRandom r) {
    List<Integer> loads = f.phdrsOfType(PT_LOAD);
    long v;
    if (!loads.isEmpty() && r.nextInt(3) > 0) {
      int i = loads.get(r.nextInt(loads.size()));
      long vaddr = f.phdrField(i, P_VADDR, 8);
      long memsz = f.phdrField(i, P_MEMSZ, 8);
      long off = memsz <= 0 ? 0 : r.nextLong(Math.min(memsz, 1L << 40));
      v = vaddr + (r.nextInt(4) == 0 ? off : off & ~1L);
    } else {
      v = pickOf(r, 0, 2, PAGE, 0x10000, STACK_BOTTOM, TASK_SIZE - 2, TASK_SIZE, -2, r.nextLong());
    }
    f.put(E_ENTRY, 8, v);
    return String.format("e_entry = 0x%x", v);
  }
}
