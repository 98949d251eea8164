package hartlab.kernel.mm;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The writer's side of a {@link VmaTree}: its own root, which during an operation may be an
 * unpublished copy, and the copy-on-write edit of the path from a leaf to that root. In RCU mode
 * every node on the path an operation changes is copied once (nodes it made itself it edits), and
 * the nodes it replaced are kept for the tree to free through RCU when it publishes the new root.
 * Outside RCU mode nodes are edited in place. Guarded by the mm's mmap lock.
 */
final class VmaCowPath {
  private static final int MAX_DEPTH = 16;

  private final BooleanSupplier inRcu;
  private final List<VmaNode> retired = new ArrayList<>();
  private VmaNode top;
  private long txn;

  VmaCowPath(BooleanSupplier inRcu) {
    this.inRcu = inRcu;
  }

  /** The writer's root: the published one, or its copy during an operation. */
  VmaNode top() {
    return top;
  }

  /** Sets the root (a bulk load, or none); the tree publishes it. */
  void reset(VmaNode root) {
    top = root;
  }

  /** The operation in progress, for nodes made outside this class (bulk load). */
  long txn() {
    return txn;
  }

  /** Starts an operation: nodes it makes from now on are its own to edit. */
  void begin() {
    txn++;
  }

  /** The nodes the operation replaced, for the caller to free after publishing; then none. */
  List<VmaNode> takeRetired() {
    if (retired.isEmpty()) {
      return List.of();
    }
    List<VmaNode> out = List.copyOf(retired);
    retired.clear();
    return out;
  }

  /** Nodes between the root and the leaves, counting both (0 for an empty tree). */
  int height() {
    int h = 0;
    for (VmaNode n = top; n != null; n = n.leaf ? null : n.kids[0]) {
      h++;
    }
    return h;
  }

  /**
   * A node the current operation may edit: itself outside RCU mode or if made by it, else a copy.
   */
  private VmaNode writable(VmaNode n) {
    if (n.txn == txn || !inRcu.getAsBoolean()) {
      return n;
    }
    retired.add(n);
    return n.copy(txn);
  }

  /** Files {@code v} by its start; the caller has checked it overlaps nothing. */
  void insertEntry(Vma v) {
    if (top == null) {
      VmaNode leaf = new VmaNode(true, txn);
      leaf.keys[0] = v.start;
      leaf.vmas[0] = v;
      leaf.count = 1;
      top = leaf;
      return;
    }
    VmaNode[] path = new VmaNode[MAX_DEPTH];
    int[] at = new int[MAX_DEPTH];
    int depth = 0;
    VmaNode n = top;
    while (!n.leaf) {
      int i = n.childIndex(v.start);
      path[depth] = n;
      at[depth++] = i;
      n = n.kids[i];
    }
    VmaNode child = writable(n);
    int pos = child.floorIndex(v.start) + 1;
    VmaNode split = child.insertAt(pos, v.start, v, null, txn);
    for (int d = depth - 1; d >= 0; d--) {
      VmaNode p = writable(path[d]);
      p.kids[at[d]] = child;
      p.keys[at[d]] = child.keys[0];
      if (split != null) {
        split = p.insertAt(at[d] + 1, split.keys[0], null, split, txn);
      }
      child = p;
    }
    if (split != null) {
      VmaNode r = new VmaNode(false, txn);
      r.kids[0] = child;
      r.keys[0] = child.keys[0];
      r.kids[1] = split;
      r.keys[1] = split.keys[0];
      r.count = 2;
      child = r;
    }
    top = child;
  }

  /** Unlinks {@code v}, dropping nodes left empty and a root left with one child. */
  void removeEntry(Vma v) {
    VmaNode[] path = new VmaNode[MAX_DEPTH];
    int[] at = new int[MAX_DEPTH];
    int depth = 0;
    VmaNode n = top;
    while (n != null && !n.leaf) {
      int i = n.childIndex(v.start);
      path[depth] = n;
      at[depth++] = i;
      n = n.kids[i];
    }
    int pos = n == null ? -1 : n.floorIndex(v.start);
    if (pos < 0 || n.vmas[pos] != v) {
      throw new IllegalStateException("VmaTree.remove: " + v + " is not in the tree");
    }
    VmaNode child = writable(n);
    child.shiftOut(pos);
    boolean empty = child.count == 0;
    for (int d = depth - 1; d >= 0; d--) {
      VmaNode p = writable(path[d]);
      if (empty) {
        p.shiftOut(at[d]);
        empty = p.count == 0;
      } else {
        p.kids[at[d]] = child;
        p.keys[at[d]] = child.keys[0];
      }
      child = p;
    }
    VmaNode r = empty ? null : child;
    while (r != null && !r.leaf && r.count == 1) {
      r = r.kids[0]; // a root with one child: the child is the root (the old one retired above)
    }
    top = r;
  }
}
