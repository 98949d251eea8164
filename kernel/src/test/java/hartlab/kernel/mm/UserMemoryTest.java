package hartlab.kernel.mm;

import static hartlab.kernel.Errnos.errno;
import static hartlab.kernel.Errnos.errnoOf;
import static hartlab.kernel.KernelRig.PAGE;
import static hartlab.kernel.KernelRig.PRIVATE_ANON;
import static hartlab.kernel.KernelRig.RW;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.uapi.Errno;
import hartlab.mmu.Pte;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * copy_from_user / copy_to_user: through the current hart's MMU, faulting pages in, and EFAULT (not
 * a kill) for every address no area allows.
 */
class UserMemoryTest {
  private static final int PAGE_PLUS = 4096 + 300;

  private final KernelRig rig = KernelRig.of(1);
  private final UserMemory user = rig.vm.user();
  private final Hart hart = rig.hart(0);
  private final Mm mm = rig.newMm();
  private final long rw;
  private final long ro;
  private final long none;

  {
    rig.load(0, mm);
    rw = rig.vm.mmap().mmap(hart, mm, 0, 4 * PAGE, RW, PRIVATE_ANON, -1, 0);
    ro = rig.vm.mmap().mmap(hart, mm, 0, PAGE, Vma.PROT_READ, PRIVATE_ANON, -1, 0);
    none = rig.vm.mmap().mmap(hart, mm, 0, PAGE, 0, PRIVATE_ANON, -1, 0);
  }

  private void putString(long va, String s) {
    byte[] b = (s + "\0").getBytes(StandardCharsets.UTF_8);
    user.copyToUser(hart, mm, va, b, 0, b.length);
  }

  @Test
  void copiesAcrossPageBoundariesFaultingPagesIn() {
    byte[] out = new byte[PAGE_PLUS];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) (i * 31);
    }
    long va = rw + PAGE - 100;
    assertEquals(0, rig.pageTable.lookup(mm.root, rw + PAGE), "not mapped yet");
    user.copyToUser(hart, mm, va, out, 0, out.length);
    assertTrue(Pte.isValid(rig.pageTable.lookup(mm.root, rw + 2 * PAGE)), "faulted in");
    byte[] in = new byte[out.length];
    user.copyFromUser(hart, mm, va, in, 0, in.length);
    assertArrayEquals(out, in);
    assertEquals(out[100] & 0xFF, rig.memory.getByte(rig.touch(hart, mm, rw + PAGE, 1)) & 0xFF);
  }

  @Test
  void integersAreLittleEndian() {
    user.putLong(hart, mm, rw, 0x0102030405060708L);
    assertEquals(0x08, rig.memory.getByte(rig.touch(hart, mm, rw, 1)));
    assertEquals(0x0102030405060708L, user.getLong(hart, mm, rw));
    assertEquals(0x05060708, user.getInt(hart, mm, rw));
    user.putInt(hart, mm, rw + 8, -2);
    assertEquals(0xFFFFFFFEL, user.getLong(hart, mm, rw + 8), "putInt writes four bytes only");
    assertEquals(-2, user.getInt(hart, mm, rw + 8));
    user.putLong(hart, mm, rw + PAGE - 4, -1L); // straddles two pages
    assertEquals(-1L, user.getLong(hart, mm, rw + PAGE - 4));
  }

  @Test
  void wildPointersAreEfaultNeverAKill() {
    byte[] b = new byte[8];
    assertEquals(Errno.EFAULT, errnoOf(() -> user.copyFromUser(hart, mm, 0, b, 0, 8)), "NULL");
    assertEquals(
        Errno.EFAULT,
        errnoOf(() -> user.copyFromUser(hart, mm, 0x7000_0000L, b, 0, 8)),
        "unmapped");
    assertEquals(
        Errno.EFAULT,
        errnoOf(() -> user.copyFromUser(hart, mm, 1L << 40, b, 0, 8)),
        "not canonical for Sv39");
    assertEquals(
        Errno.EFAULT,
        errnoOf(() -> user.copyFromUser(hart, mm, 0xFFFF_FFC0_0000_0000L, b, 0, 8)),
        "the kernel half");
    assertEquals(Errno.EFAULT, errnoOf(() -> user.copyToUser(hart, mm, ro, b, 0, 8)), "read-only");
    assertEquals(
        Errno.EFAULT, errnoOf(() -> user.copyFromUser(hart, mm, none, b, 0, 8)), "PROT_NONE");
    assertEquals(
        Errno.EFAULT,
        errnoOf(() -> user.copyFromUser(hart, mm, rw + 4 * PAGE - 4, b, 0, 8)),
        "runs off the end of the area");
    assertEquals(0, errnoOf(() -> user.copyFromUser(hart, mm, ro, b, 0, 8)), "reading is fine");
    assertEquals(Errno.EFAULT, errno(() -> user.physical(hart, mm, none, 1)));
  }

  @Test
  void checkWritableFaultsEveryPageInOrFailsBeforeAnythingIsConsumed() {
    user.checkWritable(hart, mm, rw + 10, 3 * PAGE);
    for (int i = 0; i < 4; i++) {
      assertTrue(Pte.isValid(rig.pageTable.lookup(mm.root, rw + i * PAGE)), "page " + i);
    }
    assertEquals(Errno.EFAULT, errnoOf(() -> user.checkWritable(hart, mm, ro, 8)));
    assertEquals(
        Errno.EFAULT, errnoOf(() -> user.checkWritable(hart, mm, rw + 3 * PAGE, 2 * PAGE)));
  }

  @Test
  void stringsEndAtNulAndTooLongIsTheCallersErrno() {
    putString(rw + PAGE - 3, "hello, world");
    assertEquals("hello, world", user.getString(hart, mm, rw + PAGE - 3, 64, Errno.E2BIG));
    assertEquals(
        Errno.ENAMETOOLONG,
        errno(() -> user.getString(hart, mm, rw + PAGE - 3, 12, Errno.ENAMETOOLONG).length()),
        "12 bytes without the NUL");
    assertEquals("hello, world", user.getString(hart, mm, rw + PAGE - 3, 13, Errno.E2BIG));
    assertEquals("", user.getString(hart, mm, rw + 3 * PAGE, 10, Errno.E2BIG), "zero page");
    assertEquals(
        Errno.EFAULT, errno(() -> user.getString(hart, mm, 0x10, 10, Errno.E2BIG).length()));
  }

  @Test
  void stringArraysAreNullTerminatedAndBounded() {
    long strings = rw + 2 * PAGE;
    putString(strings, "a");
    putString(strings + 8, "bc");
    long array = rw;
    user.putLong(hart, mm, array, strings);
    user.putLong(hart, mm, array + 8, strings + 8);
    user.putLong(hart, mm, array + 16, 0);
    assertEquals(List.of("a", "bc"), user.getStrings(hart, mm, array, 10, 100));
    assertEquals(List.of(), user.getStrings(hart, mm, 0, 10, 100), "a NULL array is empty");
    assertEquals(Errno.E2BIG, errno(() -> user.getStrings(hart, mm, array, 1, 100).size()));
    assertEquals(
        Errno.E2BIG,
        errno(() -> user.getStrings(hart, mm, array, 10, 4).size()),
        "five bytes with the NULs");
    user.putLong(hart, mm, array + 16, 0x7000_0000L);
    assertEquals(
        Errno.EFAULT, errno(() -> user.getStrings(hart, mm, array, 10, 100).size()), "bad pointer");
  }
}
