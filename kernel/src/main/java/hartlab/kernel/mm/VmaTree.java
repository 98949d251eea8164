package hartlab.kernel.mm;

import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The VMAs of one mm, ordered by address, non-overlapping.
 *
 * <p>Guarded by the mm's lock. A sorted map stands in for the maple tree here; the RCU-walkable
 * tree replaces it behind these same operations.
 *
 * <p>Every area in the tree is charged to kernel memory ({@link KernelMemory.Kind#VMA}, as Linux's
 * vm_area_alloc charges its slab): {@link #insert} and {@link #loadCopyOf} charge before they
 * change anything and fail with ENOMEM, {@link #remove} and {@link #clear} give the charge back.
 */
public final class VmaTree {
  private final TreeMap<Long, Vma> byStart = new TreeMap<>();
  private final KernelMemory kmem;

  /** A tree whose areas are charged to {@code kmem}. */
  public VmaTree(KernelMemory kmem) {
    this.kmem = kmem;
  }

  /** A tree whose areas are counted but never refused, for code that builds one alone. */
  public VmaTree() {
    this(KernelMemory.unaccounted());
  }

  /** The area containing {@code va}, or null. */
  public Vma find(long va) {
    Map.Entry<Long, Vma> e = byStart.floorEntry(va);
    return e != null && e.getValue().contains(va) ? e.getValue() : null;
  }

  /** Every area in address order: a copy, for /proc/self/maps; the caller holds the mmap lock. */
  public List<Vma> areas() {
    return new ArrayList<>(byStart.values());
  }

  /** Areas intersecting {@code [start, end)}, in address order. */
  List<Vma> overlapping(long start, long end) {
    List<Vma> out = new ArrayList<>();
    Map.Entry<Long, Vma> first = byStart.floorEntry(start);
    long from = first != null && first.getValue().end > start ? first.getKey() : start;
    for (Vma v : byStart.subMap(from, true, end, false).values()) {
      if (v.end > start) {
        out.add(v);
      }
    }
    return out;
  }

  boolean isFree(long start, long end) {
    return overlapping(start, end).isEmpty();
  }

  /** Adds an area; ENOMEM (and no change) when kernel memory cannot hold one more. */
  void insert(Vma vma) {
    if (!isFree(vma.start, vma.end)) {
      throw new IllegalStateException(
          "VmaTree.insert: " + vma + " overlaps " + overlapping(vma.start, vma.end));
    }
    kmem.charge(KernelMemory.Kind.VMA, Errno.ENOMEM);
    byStart.put(vma.start, vma);
  }

  void remove(Vma vma) {
    if (!byStart.remove(vma.start, vma)) { // only this area: a failed check must change nothing
      throw new IllegalStateException("VmaTree.remove: " + vma + " is not in the tree");
    }
    kmem.uncharge(KernelMemory.Kind.VMA);
  }

  /** Drops every area (an mm that never ran is thrown away), giving their charges back. */
  void clear() {
    kmem.uncharge(KernelMemory.Kind.VMA, byStart.size());
    byStart.clear();
  }

  /** Re-files an area whose start moved (after a split or a shrink from below). */
  void rekey(long oldStart, Vma vma) {
    if (!byStart.remove(oldStart, vma)) {
      throw new IllegalStateException("VmaTree.rekey: no area at 0x" + Long.toHexString(oldStart));
    }
    byStart.put(vma.start, vma);
  }

  /**
   * The highest start address {@code s} with {@code low <= s} and {@code [s, s+len) ⊂ [low, high)}
   * free, as Linux's top-down unmapped_area; -1 when no gap fits.
   */
  long findGapTopDown(long len, long low, long high) {
    long ceiling = high;
    for (Vma v : byStart.descendingMap().values()) {
      if (v.start >= ceiling) {
        continue;
      }
      if (v.end <= ceiling && ceiling - v.end >= len && ceiling - len >= low) {
        return ceiling - len;
      }
      ceiling = Math.min(ceiling, v.start);
      if (ceiling < low + len) {
        return -1;
      }
    }
    return ceiling - len >= low ? ceiling - len : -1;
  }

  /**
   * Fills this empty tree with copies of {@code other}'s areas, as fork's bulk load: copying the
   * sorted map is linear, and its values are then replaced in place.
   */
  void loadCopyOf(VmaTree other, UnaryOperator<Vma> copy) {
    if (!byStart.isEmpty()) {
      throw new IllegalStateException("VmaTree.loadCopyOf: tree is not empty");
    }
    if (!kmem.tryCharge(KernelMemory.Kind.VMA, other.byStart.size())) {
      throw SyscallError.of(Errno.ENOMEM);
    }
    byStart.putAll(other.byStart);
    byStart.replaceAll((start, v) -> copy.apply(v));
  }

  List<Vma> all() {
    return new ArrayList<>(byStart.values());
  }

  int size() {
    return byStart.size();
  }
}
