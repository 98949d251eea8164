package hartlab.cpu;

import hartlab.mmu.PhysicalMemory;
import java.util.Arrays;

/**
 * The decoded instructions of one physical page: one {@link Decoder} entry per 2-byte slot, since
 * with the C extension an instruction may start at any even address. Slots start as {@link
 * Op#DECODE} and are decoded the first time they execute, by whichever hart gets there first.
 *
 * <p>Two extra slots past the page hold {@link Op#RELOOKUP}: a hart that runs off the end of the
 * page (after a 4-byte instruction in the second-to-last slot, or a 2-byte one in the last) lands
 * on one and goes to translate the next page, so the interpreter never tests for the page end.
 *
 * <p>Shared by all harts of a machine. {@link #code} entries are written racily but each slot only
 * ever receives one value per page version (the decode of the bytes there), and a {@code long}
 * array element is read and written whole on 64-bit HotSpot, so a reader sees either {@link
 * Op#DECODE} (and decodes itself) or the finished entry. The array itself is published through a
 * final field.
 */
final class DecodedPage {
  static final int SLOTS = PhysicalMemory.PAGE_SIZE / 2;

  /** SLOTS plus the two RELOOKUP slots. */
  static final int LENGTH = SLOTS + 2;

  static final long RELOOKUP_ENTRY = Decoder.entry(Op.RELOOKUP, false, 0, 0, 0, 0);

  /** Physical address of the page. */
  final long pa;

  /**
   * {@link CodeCache} generation this page was decoded under; older pages are stale after FENCE.I.
   */
  final int generation;

  final long[] code;

  DecodedPage(long pa, int generation) {
    this.pa = pa;
    this.generation = generation;
    this.code = new long[LENGTH];
    code[SLOTS] = RELOOKUP_ENTRY;
    code[SLOTS + 1] = RELOOKUP_ENTRY;
  }

  /**
   * A page-sized scratch array in which every slot is {@link Op#RELOOKUP}; a hart puts one
   * page-crossing instruction in its last slot and executes it from there (see {@link Op#CROSS}).
   */
  static long[] newScratch() {
    long[] c = new long[LENGTH];
    Arrays.fill(c, RELOOKUP_ENTRY);
    return c;
  }
}
