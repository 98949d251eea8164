package hartlab.kernel.fs;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.MmapLocking;
import hartlab.kernel.mm.Vma;
import java.nio.charset.StandardCharsets;

/**
 * /proc/self/maps, the locked way (Linux before per-VMA locking): the mmap lock held for reading
 * while the areas are listed, one line each as Linux's show_map_vma writes it. Program text and
 * data are named after the program; anonymous memory has no name.
 */
public final class ProcMaps implements ProcEntry.Generated {
  /** Where show_map_vma starts the name column. */
  private static final int NAME_COLUMN = 73;

  private final MmapLocking locking;

  public ProcMaps(MmapLocking locking) {
    this.locking = locking;
  }

  @Override
  public byte[] produce(Hart hart, Mm mm, FsContext caller) {
    StringBuilder out = new StringBuilder();
    locking.lockSpinning(hart, mm, false);
    try {
      for (Vma v : mm.vmas.areas()) {
        int start = out.length();
        int prot = v.prot();
        out.append(String.format("%08x-%08x ", v.start(), v.end()))
            .append((prot & Vma.PROT_READ) != 0 ? 'r' : '-')
            .append((prot & Vma.PROT_WRITE) != 0 ? 'w' : '-')
            .append((prot & Vma.PROT_EXEC) != 0 ? 'x' : '-')
            .append(v.isShared() ? 's' : 'p')
            .append(" 00000000 00:00 0");
        String name = name(v, caller);
        if (!name.isEmpty()) {
          out.append(" ".repeat(Math.max(1, NAME_COLUMN - (out.length() - start)))).append(name);
        }
        out.append('\n');
      }
    } finally {
      locking.unlock(hart, mm, false);
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String name(Vma v, FsContext caller) {
    switch (v.kind()) {
      case TEXT:
      case DATA:
        return caller.exe();
      case HEAP:
        return "[heap]";
      case STACK:
        return "[stack]";
      default:
        return "";
    }
  }
}
