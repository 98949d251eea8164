package hartlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

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
    assertNull(tree.find(0x3000));
    assertNull(tree.find(0x4FFF));
    assertSame(b, tree.find(0x5800));
    assertNull(tree.find(0));
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
    assertEquals(List.of(), tree.overlapping(0x3000, 0x5000));
    assertEquals(List.of(a, b, c), tree.overlapping(0, 1L << 38));
    assertTrue(tree.isFree(0x6000, 0x8000));
    assertFalse(tree.isFree(0x6000, 0x8001));
  }

  @Test
  void refusesOverlapsAndUnknownRemovals() {
    VmaTree tree = new VmaTree();
    tree.insert(vma(0x1000, 0x3000));
    assertThrows(IllegalStateException.class, () -> tree.insert(vma(0x2000, 0x4000)));
    assertThrows(IllegalStateException.class, () -> tree.remove(vma(0x1000, 0x3000)));
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
  }
}
