package hartlab.kernel.mm;

import hartlab.kernel.rcu.RcuObject;
import java.util.Arrays;

/**
 * A node of a {@link VmaTree}: up to {@link #FANOUT} entries. A leaf holds areas sorted by start;
 * an internal node holds children and the lowest start in each. In RCU mode a node is immutable
 * once published; {@link #txn} names the writer's operation that made it (it may edit only its
 * own).
 */
final class VmaNode extends RcuObject {
  static final int FANOUT = 16;

  final boolean leaf;
  int count;
  final long[] keys = new long[FANOUT];
  final Vma[] vmas;
  final VmaNode[] kids;
  final long txn;

  VmaNode(boolean leaf, long txn) {
    this.leaf = leaf;
    this.vmas = leaf ? new Vma[FANOUT] : null;
    this.kids = leaf ? null : new VmaNode[FANOUT];
    this.txn = txn;
  }

  VmaNode copy(long txn) {
    VmaNode c = new VmaNode(leaf, txn);
    c.count = count;
    System.arraycopy(keys, 0, c.keys, 0, count);
    if (leaf) {
      System.arraycopy(vmas, 0, c.vmas, 0, count);
    } else {
      System.arraycopy(kids, 0, c.kids, 0, count);
    }
    return c;
  }

  /** Index of the last entry with key {@code <= key} in a leaf, or -1. */
  int floorIndex(long key) {
    return lastAtMost(key, 0, -1);
  }

  /**
   * The child of an internal node whose range holds {@code key} (the first one's starts at -inf).
   */
  int childIndex(long key) {
    return lastAtMost(key, 1, 0);
  }

  /**
   * Binary search from {@code from}: the last index whose key is {@code <= key}, else {@code none}.
   */
  private int lastAtMost(long key, int from, int none) {
    int lo = from;
    int hi = count - 1;
    int found = none;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (keys[mid] <= key) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /**
   * Puts an entry (leaf: {@code vma}; internal: {@code kid}) at {@code pos} of this writable node;
   * when full, splits it and returns the new right half (made by operation {@code txn}), else null.
   */
  VmaNode insertAt(int pos, long key, Vma vma, VmaNode kid, long txn) {
    if (count < FANOUT) {
      shiftIn(pos, key, vma, kid);
      return null;
    }
    VmaNode right = new VmaNode(leaf, txn);
    int half = FANOUT / 2;
    right.count = FANOUT - half;
    System.arraycopy(keys, half, right.keys, 0, right.count);
    if (leaf) {
      System.arraycopy(vmas, half, right.vmas, 0, right.count);
      Arrays.fill(vmas, half, FANOUT, null);
    } else {
      System.arraycopy(kids, half, right.kids, 0, right.count);
      Arrays.fill(kids, half, FANOUT, null);
    }
    count = half;
    if (pos <= half) {
      shiftIn(pos, key, vma, kid);
    } else {
      right.shiftIn(pos - half, key, vma, kid);
    }
    return right;
  }

  private void shiftIn(int pos, long key, Vma vma, VmaNode kid) {
    System.arraycopy(keys, pos, keys, pos + 1, count - pos);
    keys[pos] = key;
    if (leaf) {
      System.arraycopy(vmas, pos, vmas, pos + 1, count - pos);
      vmas[pos] = vma;
    } else {
      System.arraycopy(kids, pos, kids, pos + 1, count - pos);
      kids[pos] = kid;
    }
    count++;
  }

  /** Removes the entry at {@code pos} of this writable node. */
  void shiftOut(int pos) {
    System.arraycopy(keys, pos + 1, keys, pos, count - pos - 1);
    if (leaf) {
      System.arraycopy(vmas, pos + 1, vmas, pos, count - pos - 1);
      vmas[count - 1] = null;
    } else {
      System.arraycopy(kids, pos + 1, kids, pos, count - pos - 1);
      kids[count - 1] = null;
    }
    count--;
  }
}
