package hartlab.kernel.mm;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The VMAs of one mm, ordered by address, non-overlapping: a B-tree of ranges after Linux's maple
 * tree, walkable without locks.
 *
 * <p>Writers hold the mm's mmap lock for writing (or are its last user). Readers walk it under RCU
 * with no lock ({@link #find}, {@link #findNext}): they load the root with acquire, which pairs
 * with the release that published it ({@link #commit}). In <em>RCU mode</em>, which the mm enters
 * when it gains a second user ({@link #setInRcu}, from mmget), a writer never edits a node a reader
 * may reach: every node on the path it changes is copied (copy-on-write up to the root), the new
 * root is published once per operation, and the replaced nodes are freed through {@code callRcu}
 * (poisoned: the VMA-identity checker reports a reader that still walks one). Outside RCU mode the
 * mm's one user is the only one who walks the tree, and nodes are edited in place.
 *
 * <p>Nodes ({@link VmaNode}) hold up to {@link VmaNode#FANOUT} entries. Leaves hold areas sorted by
 * start; an internal node holds children and the lowest start in each (kept exact, so an area in
 * one child ends at or before the next child's key and a lookup follows one path). Nodes are not
 * rebalanced on removal, only dropped when empty: lookups stay correct, depth stays logarithmic in
 * the most areas the tree ever held.
 *
 * <p>Every area in the tree is charged to kernel memory ({@link KernelMemory.Kind#VMA}, as Linux's
 * vm_area_alloc charges its slab): {@link #insert} and {@link #loadCopyOf} charge before they
 * change anything and fail with ENOMEM, {@link #remove} and {@link #clear} give the charge back.
 */
public final class VmaTree {
  private static final VarHandle ROOT;
  private static final VarHandle IN_RCU;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      ROOT = l.findVarHandle(VmaTree.class, "root", VmaNode.class);
      IN_RCU = l.findVarHandle(VmaTree.class, "inRcu", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** What readers walk: published with release, read with acquire. */
  @SuppressWarnings("unused") // through ROOT
  private VmaNode root;

  @SuppressWarnings("unused") // through IN_RCU
  private boolean inRcu;

  // ---- writer state, guarded by the mmap lock ----
  private final VmaCowPath path = new VmaCowPath(this::isInRcu);
  private int size;

  private final KernelMemory kmem;
  private final VmaLocks locks;

  /** A tree whose areas are charged to {@code kmem} and come from {@code locks}' pool. */
  public VmaTree(KernelMemory kmem, VmaLocks locks) {
    this.kmem = kmem;
    this.locks = locks;
  }

  /** A tree whose areas are counted but never refused, for code that builds one alone. */
  public VmaTree() {
    this(KernelMemory.unaccounted(), null);
  }

  // ---- RCU mode ----

  /** mt_set_in_rcu: from now on writers copy instead of editing. Any thread. */
  void setInRcu() {
    IN_RCU.setVolatile(this, true);
  }

  /** mt_clear_in_rcu: the mm's users are gone (teardown); no reader can come any more. */
  void clearInRcu() {
    IN_RCU.setVolatile(this, false);
  }

  boolean isInRcu() {
    return (boolean) IN_RCU.getVolatile(this);
  }

  // ---- readers: under RCU (or the mmap lock), no lock of their own ----

  private VmaNode readRoot() {
    return (VmaNode) ROOT.getAcquire(this);
  }

  private void visited(VmaNode n) {
    if (n.isPoisoned() && locks != null) {
      locks.reachedFreedNode();
    }
  }

  /** The area containing {@code va}, or null (a dead entry is no area). */
  public Vma find(long va) {
    Vma v = findEntry(va);
    return v == null || v.dead != null ? null : v;
  }

  /** The entry containing {@code va}, a dead one included, or null. */
  Vma findEntry(long va) {
    VmaNode n = readRoot();
    while (n != null) {
      visited(n);
      if (n.leaf) {
        int i = n.floorIndex(va);
        Vma v = i < 0 ? null : n.vmas[i];
        return v != null && va >= v.start && va < v.end ? v : null;
      }
      n = n.kids[n.childIndex(va)];
    }
    return null;
  }

  /** The highest area starting below {@code addr}, or null. */
  Vma findPrev(long addr) {
    VmaNode n = readRoot();
    while (n != null) {
      visited(n);
      if (n.leaf) {
        int i = n.floorIndex(addr - 1);
        return i < 0 ? null : n.vmas[i];
      }
      n = n.kids[n.childIndex(addr - 1)];
    }
    return null;
  }

  /**
   * The lowest area ending above {@code addr}, or null: where a reader that stopped at {@code addr}
   * resumes, whatever the tree became meanwhile.
   */
  public Vma findNext(long addr) {
    Vma[] out = {null};
    walk(
        readRoot(),
        addr,
        v -> {
          if (v.end > addr) {
            out[0] = v;
            return false;
          }
          return true;
        });
    return out[0];
  }

  /**
   * Visits areas in address order, starting with the one that may contain {@code from}, while
   * {@code visitor} returns true. Returns false if the visitor stopped it.
   */
  private boolean walk(VmaNode n, long from, Predicate<Vma> visitor) {
    if (n == null) {
      return true;
    }
    visited(n);
    if (n.leaf) {
      for (int i = Math.max(0, n.floorIndex(from)); i < n.count; i++) {
        if (!visitor.test(n.vmas[i])) {
          return false;
        }
      }
      return true;
    }
    for (int i = n.childIndex(from); i < n.count; i++) {
      if (!walk(n.kids[i], from, visitor)) {
        return false;
      }
    }
    return true;
  }

  private boolean walkDown(VmaNode n, Predicate<Vma> visitor) {
    if (n == null) {
      return true;
    }
    visited(n);
    for (int i = n.count - 1; i >= 0; i--) {
      if (n.leaf ? !visitor.test(n.vmas[i]) : !walkDown(n.kids[i], visitor)) {
        return false;
      }
    }
    return true;
  }

  /** Areas intersecting {@code [start, end)}, in address order (dead entries left out). */
  List<Vma> overlapping(long start, long end) {
    return entries(start, end, false);
  }

  /** Entries intersecting {@code [start, end)}, in address order, dead ones too if asked. */
  List<Vma> entries(long start, long end, boolean withDead) {
    List<Vma> out = new ArrayList<>();
    walk(
        readRoot(),
        start,
        v -> {
          if (v.start >= end) {
            return false;
          }
          if (v.end > start && (withDead || v.dead == null)) {
            out.add(v);
          }
          return true;
        });
    return out;
  }

  boolean isFree(long start, long end) {
    boolean[] free = {true};
    walk(
        readRoot(),
        start,
        v -> {
          if (v.start >= end) {
            return false;
          }
          if (v.end > start) {
            free[0] = false;
            return false;
          }
          return true;
        });
    return free[0];
  }

  /**
   * The highest start address {@code s} with {@code low <= s} and {@code [s, s+len) ⊂ [low, high)}
   * free, as Linux's top-down unmapped_area; -1 when no gap fits.
   */
  long findGapTopDown(long len, long low, long high) {
    long[] ceiling = {high};
    long[] found = {-1};
    walkDown(
        readRoot(),
        v -> {
          long c = ceiling[0];
          if (v.start >= c) {
            return true;
          }
          if (v.end <= c && c - v.end >= len && c - len >= low) {
            found[0] = c - len;
            return false;
          }
          ceiling[0] = Math.min(c, v.start);
          return ceiling[0] >= low + len;
        });
    if (found[0] >= 0) {
      return found[0];
    }
    return ceiling[0] >= low + len ? ceiling[0] - len : -1;
  }

  /** The areas in address order (a snapshot). */
  List<Vma> all() {
    List<Vma> out = new ArrayList<>(size);
    walk(readRoot(), Long.MIN_VALUE, out::add);
    return out;
  }

  /** Areas in the tree; writers only. */
  int size() {
    return size;
  }

  /** Nodes between the root and the leaves, counting both (0 for an empty tree); writers only. */
  int height() {
    return path.height();
  }

  // ---- writers: hold the mmap lock for writing ----

  /**
   * Adds a detached area and attaches it; ENOMEM (and no change) when kernel memory cannot hold one
   * more. {@code hart}: whose thread writes (for callRcu); null outside RCU mode.
   */
  void insert(Hart hart, Vma vma) {
    replace(hart, null, vma);
  }

  /** Adds an area to a tree no reader can see yet (exec's new mm, tests). */
  void insert(Vma vma) {
    insert(null, vma);
  }

  /**
   * Takes an area out: write-locks it (waiting for lockless readers to drain), unlinks it, and
   * detaches it. The caller frees it with {@link #free} once done reading it.
   */
  void remove(Hart hart, Vma vma) {
    if (locks != null && vma.mm != null) {
      locks.vmaStartWrite(hart, vma.mm, vma);
    }
    path.begin();
    path.removeEntry(vma);
    commit(hart);
    size--;
    kmem.uncharge(KernelMemory.Kind.VMA);
    detach(hart, vma);
  }

  private void detach(Hart hart, Vma v) {
    if (locks != null) {
      locks.detach(hart, v);
    } else if (!v.tryMarkDetached()) {
      throw new IllegalStateException("VmaTree.remove: " + v + " is referenced");
    }
  }

  void remove(Vma vma) {
    remove(null, vma);
  }

  /**
   * Replaces {@code old} (null: none) by {@code pieces} in one published step, so a reader sees
   * either the old area or all of the new ones. The pieces must not overlap the rest of the tree.
   * Charges for the growth first (ENOMEM changes nothing); {@code old} ends detached.
   */
  void replace(Hart hart, Vma old, Vma... pieces) {
    int growth = pieces.length - (old == null ? 0 : 1);
    if (growth > 0 && !kmem.tryCharge(KernelMemory.Kind.VMA, growth)) {
      throw SyscallError.of(Errno.ENOMEM);
    }
    if (old != null && locks != null && old.mm != null) {
      locks.vmaStartWrite(hart, old.mm, old);
    }
    path.begin();
    if (old != null) {
      path.removeEntry(old);
    }
    for (Vma p : pieces) {
      Vma clash = overlapInTop(p.start, p.end);
      if (clash != null) {
        throw new IllegalStateException("VmaTree.insert: " + p + " overlaps " + clash);
      }
      p.markAttached();
      path.insertEntry(p);
    }
    commit(hart);
    size += growth;
    if (growth < 0) {
      kmem.uncharge(KernelMemory.Kind.VMA, -growth);
    }
    if (old != null) {
      detach(hart, old);
    }
  }

  /** A new detached area of {@code mm} (this tree's), from the pool. */
  Vma allocate(
      Mm mm, long start, long end, int prot, Vma.Kind kind, SharedAnonMemory shared, long off) {
    if (locks != null) {
      return locks.alloc(mm, start, end, prot, kind, shared, off);
    }
    Vma v = new Vma(start, end, prot, kind, shared, off);
    v.mm = mm;
    return v;
  }

  /**
   * A new detached area for {@code mm} with {@code v}'s kind, shared object and flags over {@code
   * [start, end)} (inside {@code v}'s range, or at the same offset for a split's pieces).
   */
  Vma copyOf(Mm mm, Vma v, long start, long end, int prot) {
    Vma c =
        allocate(
            mm,
            start,
            end,
            prot,
            v.kind,
            v.shared,
            v.sharedPageOffset + ((start - v.start) >>> 12));
    c.dontCopy = v.dontCopy;
    return c;
  }

  /**
   * vma_start_write for an area the writer changes the page tables of without replacing it: no
   * lockless fault runs in it until the mmap lock is released.
   */
  void lockForWrite(Hart hart, Vma v) {
    if (locks != null && v.mm != null) {
      locks.vmaStartWrite(hart, v.mm, v);
    }
  }

  /** Gives a removed area back to the pool: from now on it may be any other area. */
  void free(Vma v) {
    if (locks != null) {
      locks.free(v);
    }
  }

  /** Drops every area (an mm that never ran is thrown away), giving their charges back. */
  void clear() {
    kmem.uncharge(KernelMemory.Kind.VMA, size);
    size = 0;
    path.reset(null);
    ROOT.setRelease(this, (VmaNode) null);
  }

  /**
   * Fills this empty tree with copies of {@code other}'s areas, as fork's bulk load (dup_mmap):
   * walks the parent in order (its writer holds the parent's mmap lock), preallocates every node
   * the child needs, charges once, and fills the nodes bottom up, full, in one pass. Areas for
   * which {@code copy} returns null (VM_DONTCOPY) are left out.
   */
  void loadCopyOf(VmaTree other, java.util.function.UnaryOperator<Vma> copy) {
    if (path.top() != null) {
      throw new IllegalStateException("VmaTree.loadCopyOf: tree is not empty");
    }
    List<Vma> src = other.all();
    if (!kmem.tryCharge(KernelMemory.Kind.VMA, src.size())) {
      throw SyscallError.of(Errno.ENOMEM);
    }
    List<Vma> copies = new ArrayList<>(src.size());
    for (Vma v : src) {
      Vma c = copy.apply(v);
      if (c != null) {
        copies.add(c);
      }
    }
    kmem.uncharge(KernelMemory.Kind.VMA, src.size() - copies.size());
    size = copies.size();
    path.reset(VmaBulkLoad.build(copies, path.txn()));
    ROOT.setRelease(this, path.top());
  }

  /** Publishes the writer's root; in RCU mode the nodes it replaced go after a grace period. */
  private void commit(Hart hart) {
    ROOT.setRelease(this, path.top());
    List<VmaNode> retired = path.takeRetired();
    if (!retired.isEmpty() && locks != null && locks.rcu() != null) {
      int h = hart == null ? 0 : hart.id();
      for (VmaNode n : retired) {
        locks.rcu().kfreeRcu(h, n);
      }
    }
  }

  private Vma overlapInTop(long start, long end) {
    Vma[] clash = {null};
    walk(
        path.top(),
        start,
        v -> {
          if (v.start >= end) {
            return false;
          }
          if (v.end > start) {
            clash[0] = v;
            return false;
          }
          return true;
        });
    return clash[0];
  }
}
