package hartlab.cli.fuzz;

import java.util.ArrayList;
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
 * at random. The tables are {@link HeaderMutations}, {@link SegmentMutations}, {@link
 * LayoutMutations} and {@link DamageMutations}, drawn from by weight.
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

  private record Entry(int weight, Mutation mutation) {}

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
    HeaderMutations.addTo(this);
    SegmentMutations.addTo(this);
    LayoutMutations.addTo(this);
    DamageMutations.addTo(this);
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

  /** Adds {@code m} to the table, drawn with a chance proportional to {@code weight}. */
  void add(int weight, Mutation m) {
    table.add(new Entry(weight, m));
  }
}
