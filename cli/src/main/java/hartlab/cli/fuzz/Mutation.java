package hartlab.cli.fuzz;

import static hartlab.cli.fuzz.ElfFields.PT_LOAD;

import hartlab.loader.UserSpace;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One kind of mutation: changes the file and says how, or returns null if it does not apply to this
 * file. The static helpers and constants are shared by the mutation tables.
 */
interface Mutation {
  String apply(ElfFields f, SplittableRandom r);

  long TASK_SIZE = UserSpace.TASK_SIZE;
  long PAGE = UserSpace.PAGE_SIZE;
  long STACK_BOTTOM = UserSpace.STACK_BOTTOM;

  /** Top of the mmap area: 128 MiB below the stack, as the kernel lays it out. */
  long MMAP_BASE = STACK_BOTTOM - (128L << 20);

  long ET_DYN_BASE = UserSpace.ET_DYN_BASE;

  static String set(ElfFields f, int off, int size, long v) {
    f.put(off, size, v);
    return String.format("%s = 0x%x", ElfFields.headerFieldName(off), v);
  }

  /** A program header to mutate: a PT_LOAD seven times in ten, else any. */
  static int pickPhdr(ElfFields f, SplittableRandom r) {
    List<Integer> loads = f.phdrsOfType(PT_LOAD);
    if (!loads.isEmpty() && r.nextInt(10) < 7) {
      return loads.get(r.nextInt(loads.size()));
    }
    return r.nextInt(Math.max(1, Math.min(f.phnum(), 64)));
  }

  static String setPhdr(ElfFields f, SplittableRandom r, int field, int size, long v) {
    return setPhdr(f, pickPhdr(f, r), field, size, v);
  }

  static String setPhdr(ElfFields f, int i, int field, int size, long v) {
    if (f.phdr(i) < 0) {
      return null;
    }
    f.putPhdrField(i, field, size, v);
    return String.format("phdr[%d].%s = 0x%x", i, ElfFields.phdrFieldName(field), v);
  }

  static long pickOf(SplittableRandom r, long... values) {
    return values[r.nextInt(values.length)];
  }
}
