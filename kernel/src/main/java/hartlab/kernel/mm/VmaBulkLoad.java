package hartlab.kernel.mm;

import java.util.List;

/**
 * fork's bulk load of a {@link VmaTree} (dup_mmap): every node the sorted areas need is allocated
 * first, for the exact count, then filled bottom up, full, in one pass.
 */
final class VmaBulkLoad {
  private VmaBulkLoad() {}

  /**
   * The root of a tree holding {@code sorted} (non-overlapping, in address order, detached; they
   * are attached here), its nodes made by operation {@code txn}; null for none.
   */
  static VmaNode build(List<Vma> sorted, long txn) {
    int n = sorted.size();
    if (n == 0) {
      return null;
    }
    int fanout = VmaNode.FANOUT;
    int total = 0;
    for (int level = ceilDiv(n, fanout); ; level = ceilDiv(level, fanout)) {
      total += level;
      if (level == 1) {
        break;
      }
    }
    VmaNode[] nodes = new VmaNode[total];
    int made = 0;
    int leaves = ceilDiv(n, fanout);
    for (int i = 0; i < leaves; i++) {
      nodes[made++] = new VmaNode(true, txn);
    }
    for (int i = 0; i < n; i++) {
      Vma v = sorted.get(i);
      if (i > 0 && sorted.get(i - 1).end > v.start) {
        throw new IllegalStateException("VmaTree.bulkLoad: areas overlap or are out of order");
      }
      v.markAttached();
      VmaNode leaf = nodes[i / fanout];
      leaf.keys[leaf.count] = v.start;
      leaf.vmas[leaf.count++] = v;
    }
    int levelStart = 0;
    int levelCount = leaves;
    while (levelCount > 1) {
      int parents = ceilDiv(levelCount, fanout);
      int parentStart = made;
      for (int i = 0; i < parents; i++) {
        nodes[made++] = new VmaNode(false, txn);
      }
      for (int i = 0; i < levelCount; i++) {
        VmaNode child = nodes[levelStart + i];
        VmaNode p = nodes[parentStart + i / fanout];
        p.keys[p.count] = child.keys[0];
        p.kids[p.count++] = child;
      }
      levelStart = parentStart;
      levelCount = parents;
    }
    return nodes[made - 1];
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
