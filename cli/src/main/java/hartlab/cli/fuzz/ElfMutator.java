package hartlab.cli.fuzz;

import static hartlab.cli.fuzz.ElfFields.E_ENTRY;
import static hartlab.cli.fuzz.ElfFields.E_PHNUM;
import static hartlab.cli.fuzz.ElfFields.E_PHOFF;
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

import hartlab.loader.UserSpace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Structured mutations of valid ELF images. Each mutant is one base image (a built-in guest) with
 * one to three mutations from a table: header fields, program-header fields, the layout of the
 * segments in the address space (near page zero, under or over the stack at the top of Sv39 user
 * space, in the mmap area, as a static-pie), extra program headers (PT_INTERP, PT_DYNAMIC, ...),
 * truncation, byte flips. Most values are chosen at the edges where a loader goes wrong; the rest
 * at random.
 *
 * <p>Deterministic: mutant {@code i} of run seed {@code s} is always the same bytes, so any mutant
 * can be rebuilt from its two numbers.
 */
public final class ElfMutator {
  /** One mutant: where it came from, what was done to it, and its bytes. */
  public record Mutant(long seed, long index, String base, byte[] bytes, List<String> mutations) {
    /** A file-name-friendly identity, e.g. {@code s1-m42-hello}. */
    public String id() {
      return "s" + seed + "-m" + index + "-" + base;
    }
  }

  /** A mutation: changes the file and says how, or returns null if it does not apply. */
  private interface Mutation {
    String apply(ElfFields f, SplittableRandom r);
  }

  private record Entry(String group, int weight, Mutation mutation) {}

  private static final long TASK_SIZE = UserSpace.TASK_SIZE;
  private static final long PAGE = UserSpace.PAGE_SIZE;
  private static final long STACK_BOTTOM = UserSpace.STACK_BOTTOM;
  private static final long MMAP_BASE = STACK_BOTTOM - (128L << 20);
  private static final long ET_DYN_BASE = UserSpace.ET_DYN_BASE;

  private final Map<String, byte[]> bases;
  private final List<String> names;
  private final List<Entry> table = new ArrayList<>();
  private final int totalWeight;

  /**
   * @param bases valid images by name, the starting points
   */
  public ElfMutator(Map<String, byte[]> bases) {
    if (bases.isEmpty()) {
      throw new IllegalArgumentException("ElfMutator: no base images");
    }
    this.bases = new TreeMap<>(bases);
    this.names = new ArrayList<>(this.bases.keySet());
    header();
    programHeaders();
    layout();
    corruption();
    int w = 0;
    for (Entry e : table) {
      w += e.weight();
    }
    totalWeight = w;
  }

  /** Mutant {@code index} of the run seeded with {@code seed}. */
  public Mutant mutant(long seed, long index) {
    SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
    String base = names.get(r.nextInt(names.size()));
    ElfFields f = new ElfFields(bases.get(base));
    int count = r.nextInt(100) < 60 ? 1 : r.nextInt(100) < 60 ? 2 : 3;
    List<String> done = new ArrayList<>();
    for (int tries = 0; done.size() < count && tries < 50; tries++) {
      Entry e = pick(r);
      String what = e.mutation().apply(f, r);
      if (what != null) {
        done.add(what);
      }
    }
    return new Mutant(seed, index, base, f.bytes(), List.copyOf(done));
  }

  private Entry pick(SplittableRandom r) {
    int x = r.nextInt(totalWeight);
    for (Entry e : table) {
      x -= e.weight();
      if (x < 0) {
        return e;
      }
    }
    throw new IllegalStateException("pick: weights");
  }

  private void add(String group, int weight, Mutation m) {
    table.add(new Entry(group, weight, m));
  }

  // ---- the ELF header ----

  private void header() {
    add(
        "header",
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
    add(
        "header",
        5,
        (f, r) -> {
          long v =
              r.nextBoolean()
                  ? ElfFields.ET_DYN
                  : pickOf(r, 0, 1, 2, 4, 0xfe00, 0xff00, 0xffff, r.nextInt(0x10000));
          f.put(E_TYPE, 2, v);
          return "e_type = " + v;
        });
    add("header", 2, (f, r) -> set(f, ElfFields.E_MACHINE, 2, pickOf(r, 0, 3, 62, 183, 258)));
    add("header", 1, (f, r) -> set(f, ElfFields.E_VERSION, 4, pickOf(r, 0, 2, 0xffffffffL)));
    add("header", 6, ElfMutator::entryPoint);
    add(
        "header",
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
    add(
        "header",
        4,
        (f, r) ->
            set(
                f,
                E_PHNUM,
                2,
                pickOf(
                    r, 0, 1, f.phnum() - 1, f.phnum() + 1, 255, 256, 257, 0xffff, r.nextInt(64))));
    add(
        "header",
        2,
        (f, r) -> set(f, ElfFields.E_PHENTSIZE, 2, pickOf(r, 0, 32, 55, 57, 64, 0xffff)));
    add("header", 1, (f, r) -> set(f, ElfFields.E_EHSIZE, 2, pickOf(r, 0, 52, 63, 65, 0xffff)));
    add(
        "header",
        2,
        (f, r) ->
            set(f, ElfFields.E_FLAGS, 4, pickOf(r, 0, 1, 2, 4, 5, 6, 8, 0x10, r.nextInt() & 0xff)));
    add(
        "header",
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

  // ---- program headers ----

  private void programHeaders() {
    add(
        "phdr",
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
    add(
        "phdr",
        3,
        (f, r) -> setPhdr(f, r, P_FLAGS, 4, pickOf(r, 0, 1, 2, 3, 4, 5, 6, 7, r.nextInt())));
    add(
        "phdr",
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
    add("phdr", 10, ElfMutator::vaddr);
    add(
        "phdr",
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
    add(
        "phdr",
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
    add(
        "phdr",
        2,
        (f, r) ->
            setPhdr(
                f,
                r,
                P_ALIGN,
                8,
                pickOf(r, 0, 1, 2, 3, PAGE, 0x10000, 0x200000, 1L << 63, r.nextLong())));
    add(
        "phdr",
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
    add(
        "phdr",
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
    add("phdr", 6, ElfMutator::addProgramHeader);
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

  // ---- where the whole image lies ----

  private void layout() {
    add("layout", 8, ElfMutator::neighbour);
    add(
        "layout",
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

  // ---- damage ----

  private void corruption() {
    add(
        "damage",
        5,
        (f, r) -> {
          int headers = 64 + PHDR_SIZE * Math.min(f.phnum(), 64) + 64;
          int n =
              r.nextBoolean()
                  ? r.nextInt(Math.min(headers, f.length()) + 1)
                  : r.nextInt(f.length() + 1);
          f.truncate(n);
          return "truncated to " + n + " bytes";
        });
    add(
        "damage",
        8,
        (f, r) -> {
          if (f.length() == 0) {
            return null;
          }
          int flips = 1 + r.nextInt(8);
          boolean inHeaders = r.nextBoolean();
          int range = inHeaders ? Math.min(f.length(), 64 + PHDR_SIZE * 8) : f.length();
          StringBuilder at = new StringBuilder();
          for (int i = 0; i < flips; i++) {
            int pos = r.nextInt(range);
            int bit = 1 << r.nextInt(8);
            f.bytes()[pos] ^= (byte) bit;
            at.append(i == 0 ? "" : ",").append(String.format("0x%x", pos));
          }
          return "flipped " + flips + " bits at " + at;
        });
    add(
        "damage",
        1,
        (f, r) -> {
          int n = 1 + r.nextInt(4096);
          byte[] grown = Arrays.copyOf(f.bytes(), f.length() + n);
          for (int i = f.length(); i < grown.length; i++) {
            grown[i] = (byte) r.nextInt(256);
          }
          f.replace(grown);
          return "appended " + n + " random bytes";
        });
  }

  // ---- helpers ----

  private static String set(ElfFields f, int off, int size, long v) {
    f.put(off, size, v);
    return String.format("%s = 0x%x", ElfFields.headerFieldName(off), v);
  }

  /** A program header to mutate: a PT_LOAD seven times in ten, else any. */
  private static int pickPhdr(ElfFields f, SplittableRandom r) {
    List<Integer> loads = f.phdrsOfType(PT_LOAD);
    if (!loads.isEmpty() && r.nextInt(10) < 7) {
      return loads.get(r.nextInt(loads.size()));
    }
    return r.nextInt(Math.max(1, Math.min(f.phnum(), 64)));
  }

  private static String setPhdr(ElfFields f, SplittableRandom r, int field, int size, long v) {
    return setPhdr(f, pickPhdr(f, r), field, size, v);
  }

  private static String setPhdr(ElfFields f, int i, int field, int size, long v) {
    if (f.phdr(i) < 0) {
      return null;
    }
    f.putPhdrField(i, field, size, v);
    return String.format("phdr[%d].%s = 0x%x", i, ElfFields.phdrFieldName(field), v);
  }

  private static long pickOf(SplittableRandom r, long... values) {
    return values[r.nextInt(values.length)];
  }
}
