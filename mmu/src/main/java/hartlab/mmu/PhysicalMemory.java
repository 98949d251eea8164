package hartlab.mmu;

import java.nio.ByteOrder;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The machine's RAM: guest physical addresses {@code [0, size)} in one off-heap buffer.
 *
 * <p>Accessors take a physical address that the caller has already bounds-checked with {@link
 * #contains} (the MMU does this once per translation, not per access); Agrona's own bounds check
 * stays on underneath as a second line. RISC-V is little-endian and so is every host we run on; the
 * constructor refuses a big-endian host rather than byte-swap on every access.
 */
public final class PhysicalMemory {
  public static final int PAGE_SHIFT = 12;
  public static final int PAGE_SIZE = 1 << PAGE_SHIFT;
  public static final long PAGE_MASK = PAGE_SIZE - 1;

  /** Largest RAM we support: the buffer is indexed by int. */
  public static final long MAX_SIZE = 1L << 30;

  private final UnsafeBuffer buf;
  private final long size;

  public PhysicalMemory(long size) {
    if (size < PAGE_SIZE * 16L || size > MAX_SIZE || (size & PAGE_MASK) != 0) {
      throw new IllegalArgumentException(
          "memory size must be a multiple of 4 KiB between 64 KiB and 1 GiB, got " + size);
    }
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw new IllegalStateException("PhysicalMemory: hartlab needs a little-endian host");
    }
    this.size = size;
    this.buf = new UnsafeBuffer(BufferUtil.allocateDirectAligned((int) size, PAGE_SIZE));
  }

  public long size() {
    return size;
  }

  public int frames() {
    return (int) (size >>> PAGE_SHIFT);
  }

  /** The raw buffer, for bulk operations; indices are physical addresses. */
  public AtomicBuffer buffer() {
    return buf;
  }

  /** Whether {@code [pa, pa+len)} lies inside RAM. */
  public boolean contains(long pa, long len) {
    return pa >= 0 && len >= 0 && pa <= size - len;
  }

  public byte getByte(long pa) {
    return buf.getByte((int) pa);
  }

  public short getShort(long pa) {
    return buf.getShort((int) pa);
  }

  public int getInt(long pa) {
    return buf.getInt((int) pa);
  }

  public long getLong(long pa) {
    return buf.getLong((int) pa);
  }

  public void putByte(long pa, byte v) {
    buf.putByte((int) pa, v);
  }

  public void putShort(long pa, short v) {
    buf.putShort((int) pa, v);
  }

  public void putInt(long pa, int v) {
    buf.putInt((int) pa, v);
  }

  public void putLong(long pa, long v) {
    buf.putLong((int) pa, v);
  }

  /** Futex words are read with volatile semantics: the waker's store must be seen. */
  public int getIntVolatile(long pa) {
    return buf.getIntVolatile((int) pa);
  }

  public long getLongAcquire(long pa) {
    return buf.getLongAcquire((int) pa);
  }

  /**
   * Page-table entries are published with release so a walker on another hart sees the frame it
   * points at.
   */
  public void putLongRelease(long pa, long v) {
    buf.putLongRelease((int) pa, v);
  }

  public boolean compareAndSetLong(long pa, long expected, long value) {
    return buf.compareAndSetLong((int) pa, expected, value);
  }

  public boolean compareAndSetInt(long pa, int expected, int value) {
    return buf.compareAndSetInt((int) pa, expected, value);
  }

  public long getAndAddLong(long pa, long delta) {
    return buf.getAndAddLong((int) pa, delta);
  }

  public int getAndAddInt(long pa, int delta) {
    return buf.getAndAddInt((int) pa, delta);
  }

  public long getAndSetLong(long pa, long value) {
    return buf.getAndSetLong((int) pa, value);
  }

  public int getAndSetInt(long pa, int value) {
    return buf.getAndSetInt((int) pa, value);
  }

  public void getBytes(long pa, byte[] dst, int off, int len) {
    buf.getBytes((int) pa, dst, off, len);
  }

  public void putBytes(long pa, byte[] src, int off, int len) {
    buf.putBytes((int) pa, src, off, len);
  }

  public void fill(long pa, int len, byte value) {
    buf.setMemory((int) pa, len, value);
  }

  /** Copies one page-aligned frame to another (COW break, fork). */
  public void copyFrame(long fromPa, long toPa) {
    buf.putBytes((int) toPa, buf, (int) fromPa, PAGE_SIZE);
  }
}
