package hartlab.kernel.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The VMA tree: lookups, overlap queries, the top-down gap search, splits and fork's bulk copy. */
class VmaTreeTest {
  private static Vma vma(long start, long end) {
    return new Vma(start, end, Vma.PROT_READ, Vma.Kind.ANON, null, 0);
  }

  @Test
  void findsTheAreaContainingAnAddress() {
    VmaTree tree = new VmaTree();
    Vma a = vma(0x1000, 0x3000);
    Vma b = vma(0x5000, 0x6000);
    tree.insert(a);
    tree.insert(b);
    assertSame(a, tree.find(0x1000));
    assertSame(a, tree.find(0x2FFF));
    assertNull(tree.find(0x3000), "end is exclusive");
    assertNull(tree.find(0x4FFF));
    assertSame(b, tree.find(0x5800));
    assertNull(tree.find(0));
    assertNull(tree.find(Long.MAX_VALUE));
  }

  @Test
  void overlappingListsEveryIntersectingAreaInOrder() {
    VmaTree tree = new VmaTree();
    Vma a = vma(0x1000, 0x3000);
    Vma b = vma(0x5000, 0x6000);
    Vma c = vma(0x8000, 0x9000);
    tree.insert(c);
    tree.insert(a);
    tree.insert(b);
    assertEquals(List.of(a, b), tree.overlapping(0x2000, 0x5001));
    assertEquals(List.of(), tree.overlapping(0x3000, 0x5000), "touching is not overlapping");
    assertEquals(List.of(a, b, c), tree.overlapping(0, 1L << 38));
    assertEquals(List.of(a), tree.overlapping(0x2FFF, 0x3000), "the last byte of a");
    assertTrue(tree.isFree(0x6000, 0x8000));
    assertFalse(tree.isFree(0x6000, 0x8001));
    assertEquals(3, tree.size());
    assertEquals(List.of(a, b, c), tree.all());
  }

  @Test
  void refusesOverlapsAndUnknownRemovals() {
    VmaTree tree = new VmaTree();
    Vma a = vma(0x1000, 0x3000);
    tree.insert(a);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> tree.insert(vma(0x2000, 0x4000)));
    assertTrue(e.getMessage().startsWith("VmaTree.insert"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> tree.remove(vma(0x1000, 0x3000)));
    assertSame(a, tree.find(0x1000), "a refused removal removed nothing");
    assertThrows(IllegalStateException.class, () -> tree.rekey(0x7000, a));
    assertThrows(IllegalStateException.class, () -> tree.rekey(0x1000, vma(0x1000, 0x2000)));
    assertSame(a, tree.find(0x1000), "nor did a refused rekey");
    tree.remove(a);
    assertEquals(0, tree.size());
  }

  @Test
  void topDownGapSearchTakesTheHighestFit() {
    VmaTree tree = new VmaTree();
    tree.insert(vma(0x10000, 0x20000));
    tree.insert(vma(0x30000, 0x40000));
    assertEquals(0x4E000, tree.findGapTopDown(0x2000, 0x1000, 0x50000), "top of the highest gap");
    assertEquals(
        0x20000, tree.findGapTopDown(0x10000, 0x1000, 0x40000), "an exact fit between areas");
    assertEquals(
        -1, tree.findGapTopDown(0x10000, 0x1000, 0x20000), "the gap below is one page short");
    assertEquals(-1, tree.findGapTopDown(0x20000, 0x10000, 0x40000));
    assertEquals(0x8000, tree.findGapTopDown(0x8000, 0, 0x10000), "below everything");
    assertEquals(0x38000, new VmaTree().findGapTopDown(0x8000, 0, 0x40000), "an empty tree");
  }

  @Test
  void gapSearchAgreesWithABruteForceScanOnRandomLayouts() {
    SplittableRandom random = new SplittableRandom(7);
    for (int round = 0; round < 200; round++) {
      VmaTree tree = new VmaTree();
      boolean[] taken = new boolean[64];
      for (int i = 0; i < 20; i++) {
        int at = random.nextInt(64);
        int len = 1 + random.nextInt(4);
        if (at + len <= 64 && tree.isFree(at * 0x1000L, (at + len) * 0x1000L)) {
          tree.insert(vma(at * 0x1000L, (at + len) * 0x1000L));
          for (int p = at; p < at + len; p++) {
            taken[p] = true;
          }
        }
      }
      int low = random.nextInt(8);
      int high = 56 + random.nextInt(9);
      int len = 1 + random.nextInt(6);
      long expected = -1;
      for (int s = high - len; s >= low && expected < 0; s--) {
        boolean free = true;
        for (int p = s; p < s + len; p++) {
          free &= !taken[p];
        }
        if (free) {
          expected = s * 0x1000L;
        }
      }
      assertEquals(
          expected,
          tree.findGapTopDown(len * 0x1000L, low * 0x1000L, high * 0x1000L),
          "round " + round + ": " + tree.all());
    }
  }

  @Test
  void splitKeepsBothHalvesConsistent() {
    VmaTree tree = new VmaTree();
    Vma a = vma(0x1000, 0x5000);
    tree.insert(a);
    Vma tail = a.splitAt(0x3000);
    tree.insert(tail);
    assertEquals(0x3000, a.end());
    assertSame(a, tree.find(0x2FFF));
    assertSame(tail, tree.find(0x3000));
    assertEquals(0x5000, tail.end());
    assertEquals(a.prot(), tail.prot());
    assertEquals(a.kind(), tail.kind());
  }

  @Test
  void aSharedAreasSplitKeepsTheOffsetIntoItsObject() {
    SharedAnonMemory object = new SharedAnonMemory(null);
    Vma a = new Vma(0x10000, 0x18000, Vma.PROT_READ, Vma.Kind.ANON, object, 2);
    Vma tail = a.splitAt(0x13000);
    assertSame(object, tail.sharedObject());
    assertEquals((2 + 3) * 0x1000L, tail.sharedOffset(0x13000));
    assertEquals(a.sharedOffset(0x12000) + 0x1000, tail.sharedOffset(0x13000), "continuous");
    assertTrue(tail.isShared());
  }

  @Test
  void rekeyRefilesAnAreaWhoseStartMoved() {
    VmaTree tree = new VmaTree();
    Vma a = vma(0x1000, 0x5000);
    tree.insert(a);
    a.start = 0x2000;
    tree.rekey(0x1000, a);
    assertNull(tree.find(0x1000));
    assertSame(a, tree.find(0x2000));
  }

  @Test
  void forksBulkLoadCopiesEveryAreaAndOnlyIntoAnEmptyTree() {
    VmaTree parent = new VmaTree();
    List<Vma> originals = new ArrayList<>();
    for (long s = 0x10000; s < 0x20000; s += 0x2000) {
      Vma v = vma(s, s + 0x1000);
      originals.add(v);
      parent.insert(v);
    }
    VmaTree child = new VmaTree();
    child.loadCopyOf(parent, Vma::copy);
    assertEquals(parent.size(), child.size());
    TreeMap<Long, Vma> byStart = new TreeMap<>();
    for (Vma v : child.all()) {
      byStart.put(v.start(), v);
    }
    for (Vma v : originals) {
      Vma c = byStart.get(v.start());
      assertNotSame(v, c, "a copy, not the parent's area");
      assertEquals(v.end(), c.end());
      assertSame(c, child.find(v.start()));
    }
    child.find(0x10000).prot = Vma.PROT_WRITE;
    assertEquals(Vma.PROT_READ, parent.find(0x10000).prot(), "the parent's area is untouched");
    assertThrows(IllegalStateException.class, () -> child.loadCopyOf(parent, Vma::copy));
  }

  @Test
  void accessKindsFollowTheProtection() {
    Vma r = new Vma(0, 0x1000, Vma.PROT_READ, Vma.Kind.DATA, null, 0);
    Vma w = new Vma(0, 0x1000, Vma.PROT_WRITE, Vma.Kind.DATA, null, 0);
    Vma x = new Vma(0, 0x1000, Vma.PROT_EXEC, Vma.Kind.TEXT, null, 0);
    Vma none = new Vma(0, 0x1000, 0, Vma.Kind.ANON, null, 0);
    assertTrue(r.allows(hartlab.mmu.Mmu.LOAD));
    assertFalse(r.allows(hartlab.mmu.Mmu.STORE));
    assertFalse(r.allows(hartlab.mmu.Mmu.FETCH));
    assertTrue(w.allows(hartlab.mmu.Mmu.LOAD), "Sv39 has no write-only pages");
    assertTrue(w.allows(hartlab.mmu.Mmu.STORE));
    assertTrue(x.allows(hartlab.mmu.Mmu.FETCH));
    assertFalse(x.allows(hartlab.mmu.Mmu.LOAD));
    assertFalse(none.allows(hartlab.mmu.Mmu.LOAD));
    assertEquals("[0x0-0x1000 r-- data]", r.toString());
    assertEquals("[0x0-0x1000 --x text]", x.toString());
  }
}
