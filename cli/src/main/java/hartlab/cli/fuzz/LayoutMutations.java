package hartlab.cli.fuzz;

import static hartlab.cli.fuzz.ElfFields.E_ENTRY;
import static hartlab.cli.fuzz.ElfFields.E_TYPE;
import static hartlab.cli.fuzz.ElfFields.PT_LOAD;
import static hartlab.cli.fuzz.ElfFields.P_MEMSZ;
import static hartlab.cli.fuzz.ElfFields.P_VADDR;
import static hartlab.cli.fuzz.Mutation.ET_DYN_BASE;
import static hartlab.cli.fuzz.Mutation.MMAP_BASE;
import static hartlab.cli.fuzz.Mutation.PAGE;
import static hartlab.cli.fuzz.Mutation.STACK_BOTTOM;
import static hartlab.cli.fuzz.Mutation.TASK_SIZE;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Mutations of where the image lies in the Sv39 user address space: extra zero-filled segments next
 * to the image, at the heap start, around the mmap base or under the stack, and the whole image
 * moved (linked at 0, under, into or over the stack, into the mmap area, as a static-pie).
 */
final class LayoutMutations {
  private LayoutMutations() {}

  static void addTo(ElfMutator m) {
    m.add(8, LayoutMutations::neighbour);
    m.add(
        8,
        (f, r) -> {
          // Move every PT_LOAD and the entry by one page-multiple delta, so the image stays whole.
          List<Integer> loads = f.phdrsOfType(PT_LOAD);
          if (loads.isEmpty()) {
            return null;
          }
          long low = Long.MAX_VALUE;
          long high = 0;
          for (int i : loads) {
            long v = f.phdrField(i, P_VADDR, 8);
            low = Math.min(low, v);
            high = Math.max(high, v + f.phdrField(i, P_MEMSZ, 8));
          }
          high = (high + PAGE - 1) & ~(PAGE - 1);
          low &= ~(PAGE - 1);
          boolean pie = r.nextInt(3) == 0;
          long bias = pie ? ET_DYN_BASE : 0;
          String[] names = {
            "linked at 0",
            "ends below the stack",
            "ends in the stack",
            "in the mmap area",
            "ends at the top of user space"
          };
          int k = r.nextInt(names.length);
          long pages = PAGE * r.nextInt(3);
          long target =
              switch (k) {
                case 0 -> 0;
                case 1 -> STACK_BOTTOM - bias - (high - low) - pages;
                case 2 -> STACK_BOTTOM - bias - (high - low) + PAGE + pages;
                case 3 -> MMAP_BASE - bias - (high - low) + pages;
                default -> TASK_SIZE - bias - (high - low) + pages - PAGE;
              };
          long delta = target - low;
          for (int i : loads) {
            f.putPhdrField(i, P_VADDR, 8, f.phdrField(i, P_VADDR, 8) + delta);
          }
          f.put(E_ENTRY, 8, f.get(E_ENTRY, 8) + delta);
          if (pie) {
            f.put(E_TYPE, 2, ElfFields.ET_DYN);
          }
          return String.format(
              "image moved by 0x%x: %s%s", delta, names[k], pie ? ", as ET_DYN" : "");
        });
  }

  /**
   * One more PT_LOAD of zero-filled memory next to the image, where the heap starts, at the top of
   * the mmap area or right below the stack: the guest still runs, and its brk and mmap calls have
   * to find their way around the extra area.
   */
  private static String neighbour(ElfFields f, SplittableRandom r) {
    List<Integer> loads = f.phdrsOfType(PT_LOAD);
    if (loads.isEmpty()) {
      return null;
    }
    long low = Long.MAX_VALUE;
    long high = 0;
    for (int i : loads) {
      long v = f.phdrField(i, P_VADDR, 8);
      low = Math.min(low, v);
      high = Math.max(high, v + f.phdrField(i, P_MEMSZ, 8));
    }
    high = (high + PAGE - 1) & ~(PAGE - 1);
    low &= ~(PAGE - 1);
    long size = PAGE * (1 + r.nextInt(r.nextBoolean() ? 4 : 4096));
    long gap = PAGE * r.nextInt(3);
    String[] names = {
      "at the heap start",
      "below the image",
      "at the top of the mmap area",
      "above the mmap base",
      "right below the stack"
    };
    int k = r.nextInt(names.length);
    long v =
        switch (k) {
          case 0 -> high + gap;
          case 1 -> low - size - gap;
          case 2 -> MMAP_BASE - size - gap;
          case 3 -> MMAP_BASE + gap;
          default -> STACK_BOTTOM - size - gap;
        };
    int flags = r.nextInt(4) == 0 ? r.nextInt(8) : 6;
    f.appendProgramHeader(ElfFields.entry(PT_LOAD, flags, 0, v, 0, size));
    return String.format(
        "added PT_LOAD of %d zero pages at 0x%x (%s), flags %d", size / PAGE, v, names[k], flags);
  }
}
