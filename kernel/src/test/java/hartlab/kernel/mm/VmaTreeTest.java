package hartlab.kernel.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.stats.Counters;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The VMA tree against a sorted map, bulk load against inserts, and lockless readers. */
class VmaTreeTest {
  private static final long PAGE = 4096;
  private static final long BASE = 0x100000;

  /** Slot k holds at most one area, inside [BASE + 4 pages * k, + 4 pages). */
  private static long slot(int k) {
    return BASE + 4 * PAGE * k;
  }

  private static Vma area(long start, long pages) {
    return new Vma(start, start + pages * PAGE, Vma.PROT_READ, Vma.Kind.ANON, null, 0);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void randomChangesMatchASortedMap(boolean rcuMode) {
    VmaTree tree = new VmaTree();
    if (rcuMode) {
      tree.setInRcu();
    }
    TreeMap<Long, Vma> model = new TreeMap<>();
    Random r = new Random(rcuMode ? 11 : 7);
    for (int op = 0; op < 20_000; op++) {
      int k = r.nextInt(600);
      Map.Entry<Long, Vma> e = model.floorEntry(slot(k) + 4 * PAGE - 1);
      Vma there = e != null && e.getValue().end > slot(k) ? e.getValue() : null;
      if (there == null) {
        Vma v = area(slot(k) + PAGE * r.nextInt(2), 1 + r.nextInt(2));
        tree.insert(v);
        model.put(v.start, v);
      } else if (r.nextBoolean() || there.end - there.start < 2 * PAGE) {
        tree.remove(there);
        model.remove(there.start);
      } else {
        Vma head = area(there.start, 1);
        Vma tail = area(there.start + PAGE, (there.end - there.start) / PAGE - 1);
        tree.replace(null, there, head, tail);
        model.remove(there.start);
        model.put(head.start, head);
        model.put(tail.start, tail);
      }
      if (op % 97 == 0) {
        checkAgainst(model, tree, r);
      }
    }
    checkAgainst(model, tree, r);
    assertTrue(tree.height() <= 4, "height " + tree.height() + " for " + tree.size() + " areas");
  }

  private static void checkAgainst(TreeMap<Long, Vma> model, VmaTree tree, Random r) {
    assertEquals(new ArrayList<>(model.values()), tree.all());
    assertEquals(model.size(), tree.size());
    for (int i = 0; i < 200; i++) {
      long va = BASE - PAGE + (long) (r.nextDouble() * (slot(601) - BASE));
      Map.Entry<Long, Vma> f = model.floorEntry(va);
      Vma want = f != null && f.getValue().end > va ? f.getValue() : null;
      assertSame(want, tree.find(va), () -> "find 0x" + Long.toHexString(va));
      Map.Entry<Long, Vma> before = model.lowerEntry(va);
      assertSame(before == null ? null : before.getValue(), tree.findPrev(va));
      Vma next = want != null ? want : ceilingValue(model, va);
      assertSame(next, tree.findNext(va));
      long end = va + PAGE * (1 + r.nextInt(8));
      List<Vma> over = new ArrayList<>();
      for (Vma v : model.values()) {
        if (v.start < end && v.end > va) {
          over.add(v);
        }
      }
      assertEquals(over, tree.overlapping(va, end));
      assertEquals(over.isEmpty(), tree.isFree(va, end));
    }
    long len = PAGE * (1 + r.nextInt(5));
    assertEquals(
        gapByBruteForce(model, len, BASE, slot(500)), tree.findGapTopDown(len, BASE, slot(500)));
  }

  private static Vma ceilingValue(TreeMap<Long, Vma> model, long va) {
    Map.Entry<Long, Vma> c = model.ceilingEntry(va);
    return c == null ? null : c.getValue();
  }

  private static long gapByBruteForce(TreeMap<Long, Vma> model, long len, long low, long high) {
    for (long s = high - len; s >= low; s -= PAGE) {
      boolean free = true;
      for (Vma v : model.values()) {
        if (v.start < s + len && v.end > s) {
          free = false;
          break;
        }
      }
      if (free) {
        return s;
      }
    }
    return -1;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 15, 16, 17, 255, 256, 257, 4097})
  void bulkLoadEqualsOneByOneInserts(int n) {
    List<Vma> sorted = new ArrayList<>();
    List<Vma> shuffled = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      sorted.add(area(slot(i), 1 + i % 3));
      shuffled.add(area(slot(i), 1 + i % 3));
    }
    Collections.shuffle(shuffled, new Random(n));
    VmaTree bulk = new VmaTree();
    VmaTree source = new VmaTree();
    for (Vma v : sorted) {
      source.insert(v);
    }
    bulk.loadCopyOf(source, v -> area(v.start, (v.end - v.start) / PAGE));
    VmaTree oneByOne = new VmaTree();
    for (Vma v : shuffled) {
      oneByOne.insert(v);
    }
    assertEquals(ranges(oneByOne.all()), ranges(bulk.all()));
    assertEquals(oneByOne.size(), bulk.size());
    for (int i = 0; i < n; i++) {
      long va = slot(i) + PAGE * (i % 4);
      Vma a = bulk.find(va);
      Vma b = oneByOne.find(va);
      assertEquals(
          a == null ? null : List.of(a.start, a.end), b == null ? null : List.of(b.start, b.end));
    }
    assertTrue(bulk.height() <= oneByOne.height(), "a bulk-loaded tree is no deeper");
    // and it stays a working tree
    if (n > 0) {
      bulk.remove(bulk.find(slot(0)));
      bulk.insert(area(slot(n), 1));
      assertEquals(n, bulk.size());
    }
  }

  @Test
  void loadCopyOfLeavesOutDontCopyAreasAndChargesOnlyTheCopies() {
    KernelMemory kmem = KernelMemory.unaccounted();
    VmaTree parent = new VmaTree();
    for (int i = 0; i < 40; i++) {
      Vma v = area(slot(i), 1);
      v.dontCopy = i % 5 == 0;
      parent.insert(v);
    }
    VmaTree child = new VmaTree(kmem, null);
    long before = kmem.used();
    child.loadCopyOf(parent, v -> v.dontCopy ? null : area(v.start, 1));
    assertEquals(32, child.size());
    assertEquals(before + 32L * KernelMemory.Kind.VMA.bytes(), kmem.used());
    assertNull(child.find(slot(5)));
    assertEquals(slot(6), child.find(slot(6)).start);
  }

  private static List<List<Long>> ranges(List<Vma> vmas) {
    List<List<Long>> out = new ArrayList<>();
    for (Vma v : vmas) {
      out.add(List.of(v.start, v.end));
    }
    return out;
  }

  // ---- lockless readers against a writer ----

  /**
   * Counts what the identity checker would report: tree nodes RCU had freed, reached by readers.
   */
  private static final class FreedNodeCount implements VmaUseCheck {
    final AtomicLong reached = new AtomicLong();

    @Override
    public void using(Hart hart, Mm mm, Vma vma, long va) {}

    @Override
    public void reachedFreedNode() {
      reached.incrementAndGet();
    }
  }

  private static final int READERS = 3;

  /**
   * One writer churns the odd slots (insert, remove, split, in RCU mode); readers walk under RCU.
   * Every reader must always find the areas of the even slots, which never change, see the whole
   * tree in strictly increasing order, and never reach a node freed by RCU. Returns the freed nodes
   * reached.
   */
  private static long churn(boolean brokenRcu, long seed, int ops) throws Exception {
    TestRcu rcu = new TestRcu(READERS + 1, brokenRcu);
    VmaLocks locks = new VmaLocks(rcu, null, new Counters(READERS + 1), VmaBreak.NONE, null);
    FreedNodeCount freed = new FreedNodeCount();
    locks.setCheck(freed);
    VmaTree tree = new VmaTree(KernelMemory.unaccounted(), locks);
    tree.setInRcu();
    int slots = 400;
    for (int k = 0; k < slots; k += 2) {
      tree.insert(area(slot(k), 2));
    }
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong done = new AtomicLong();
    List<Thread> readers = new ArrayList<>();
    for (int h = 1; h <= READERS; h++) {
      int hart = h;
      Thread t =
          new Thread(
              () -> {
                Random r = new Random(seed * 31 + hart);
                try {
                  while (done.get() == 0) {
                    rcu.readLock(hart);
                    try {
                      int k = 2 * r.nextInt(slots / 2);
                      long va = slot(k) + r.nextInt(2) * PAGE;
                      Vma v = tree.find(va);
                      if (v == null || v.start != slot(k)) {
                        throw new AssertionError("stable area at slot " + k + " not found: " + v);
                      }
                      long prevEnd = Long.MIN_VALUE;
                      int stable = 0;
                      for (Vma a = tree.findNext(0); a != null; a = tree.findNext(prevEnd)) {
                        long s = a.start;
                        if (s < prevEnd) {
                          throw new AssertionError("out of order: " + a + " after 0x" + prevEnd);
                        }
                        if (((s - BASE) / (4 * PAGE)) % 2 == 0) {
                          stable++;
                        }
                        prevEnd = a.end;
                      }
                      if (stable != slots / 2) {
                        throw new AssertionError("walk saw " + stable + " stable areas");
                      }
                    } finally {
                      rcu.readUnlock(hart);
                    }
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              });
      readers.add(t);
      t.start();
    }
    Random r = new Random(seed);
    List<Vma> churned = new ArrayList<>();
    for (int op = 0; op < ops && failure.get() == null; op++) {
      if (churned.isEmpty() || (churned.size() < slots / 2 && r.nextBoolean())) {
        int k = 1 + 2 * r.nextInt(slots / 2);
        if (tree.isFree(slot(k), slot(k) + 2 * PAGE)) {
          Vma v = area(slot(k), 2);
          tree.insert(v);
          churned.add(v);
        }
      } else {
        Vma v = churned.remove(r.nextInt(churned.size()));
        if (r.nextBoolean() || v.end - v.start < 2 * PAGE) {
          tree.remove(v);
        } else {
          Vma head = area(v.start, 1);
          Vma tail = area(v.start + PAGE, 1);
          tree.replace(null, v, head, tail);
          tree.remove(head);
          churned.add(tail);
        }
      }
      rcu.poll();
    }
    done.set(1);
    for (Thread t : readers) {
      t.join();
    }
    if (failure.get() != null) {
      throw new AssertionError("a lockless reader failed", failure.get());
    }
    return freed.reached.get();
  }

  @Test
  void locklessReadersSeeAConsistentTreeAndNoFreedNode() throws Exception {
    for (long seed = 1; seed <= 4; seed++) {
      assertEquals(0, churn(false, seed, 30_000), "freed nodes reached, seed " + seed);
    }
  }

  @Test
  void withoutAGracePeriodReadersReachFreedNodes() throws Exception {
    long reached = 0;
    for (long seed = 1; seed <= 20 && reached == 0; seed++) {
      reached += churn(true, seed, 30_000);
    }
    assertTrue(reached > 0, "freeing replaced nodes at once must be seen by some reader");
  }
}
