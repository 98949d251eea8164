package hartlab.loader;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A validated static RISC-V executable, as {@link ElfParser#parse} returns it.
 *
 * <p>{@code file} is the caller's array, not a copy (images can be 64 MiB); do not modify it while
 * the image is in use. Like every record with an array component, {@code equals} compares that
 * array by identity.
 *
 * @param type {@link #ET_EXEC} or {@link #ET_DYN} (static-pie)
 * @param entry e_entry: the first user pc
 * @param loadSegments the PT_LOAD segments with {@code memSize > 0}, in program-header order
 * @param phdrVaddr where the program headers are in guest memory (AT_PHDR), or 0 if they are not in
 *     any loaded segment
 * @param phentsize e_phentsize, always 56 (AT_PHENT)
 * @param phnum e_phnum (AT_PHNUM)
 * @param flags e_flags (EF_RISCV_RVC may be set; the float ABI is soft, single or double)
 */
public record ElfImage(
    int type,
    long entry,
    List<ElfSegment> loadSegments,
    long phdrVaddr,
    int phentsize,
    int phnum,
    long flags,
    byte[] file) {
  public static final int ET_EXEC = 2;
  public static final int ET_DYN = 3;

  public ElfImage {
    loadSegments = List.copyOf(loadSegments);
    Objects.requireNonNull(file, "file");
    if (loadSegments.isEmpty()) {
      throw new IllegalArgumentException("ElfImage: no load segments");
    }
  }

  /** True for ET_DYN (static-pie): the kernel picks a load bias and calls {@link #relocate}. */
  public boolean isPositionIndependent() {
    return type == ET_DYN;
  }

  /**
   * The image as loaded {@code bias} bytes higher: every segment vaddr, the entry and phdrVaddr
   * (unless 0, "unknown") move by {@code bias}. File offsets do not move. The image itself is
   * unchanged; relocating twice adds the biases.
   *
   * <p>Page zero and the Sv39 user limit are checked here for ET_DYN, since only now are its
   * addresses final.
   *
   * @throws IllegalArgumentException if {@code bias} is not a multiple of 4096; if this is an
   *     ET_EXEC image and {@code bias != 0}; or if a moved segment would start in page zero or end
   *     above 0x40_0000_0000
   */
  public ElfImage relocate(long bias) {
    if ((bias & (UserSpace.PAGE_SIZE - 1)) != 0) {
      throw new IllegalArgumentException(
          String.format("relocate: bias 0x%x is not a multiple of the 4096-byte page", bias));
    }
    if (type != ET_DYN) {
      if (bias != 0) {
        throw new IllegalArgumentException(
            String.format(
                "relocate: ET_EXEC image is linked at fixed addresses; only bias 0 is allowed,"
                    + " got 0x%x",
                bias));
      }
      return this; // parse already checked page zero and the user limit
    }
    // Every valid address is in [0x1000, 2^38), so a larger |bias| cannot give a valid image;
    // rejecting it first also keeps the sums below from overflowing.
    if (bias <= -UserSpace.TASK_SIZE || bias >= UserSpace.TASK_SIZE) {
      throw new IllegalArgumentException(
          String.format("relocate: bias 0x%x moves the image out of Sv39 user space", bias));
    }
    List<ElfSegment> moved = new ArrayList<>(loadSegments.size());
    for (int i = 0; i < loadSegments.size(); i++) {
      ElfSegment s = loadSegments.get(i).shifted(bias);
      if (s.vaddr() < UserSpace.PAGE_SIZE) {
        throw new IllegalArgumentException(
            String.format(
                "relocate: with bias 0x%x load segment %d starts at 0x%x, in page zero, which"
                    + " stays unmapped so NULL dereferences fault; use a larger bias",
                bias, i, s.vaddr()));
      }
      if (s.vaddrEnd() > UserSpace.TASK_SIZE) {
        throw new IllegalArgumentException(
            String.format(
                "relocate: with bias 0x%x load segment %d ends at 0x%x, above 0x%x, the top of"
                    + " Sv39 user space; use a smaller bias",
                bias, i, s.vaddrEnd(), UserSpace.TASK_SIZE));
      }
      moved.add(s);
    }
    return new ElfImage(
        type,
        entry + bias,
        moved,
        phdrVaddr == 0 ? 0 : phdrVaddr + bias,
        phentsize,
        phnum,
        flags,
        file);
  }

  /**
   * Copies the {@code s.fileSize()} file bytes of {@code s} to {@code dst[dstOff..]}. The bytes
   * from {@code fileSize} to {@code memSize} are the caller's to zero.
   *
   * @throws IndexOutOfBoundsException if {@code dst} is too small or {@code s} is not backed by
   *     this file
   */
  public void copySegmentData(ElfSegment s, byte[] dst, int dstOff) {
    System.arraycopy(
        file, Math.toIntExact(s.fileOffset()), dst, dstOff, Math.toIntExact(s.fileSize()));
  }

  /** Start of the first page any load segment touches. */
  public long lowestVaddr() {
    long low = Long.MAX_VALUE;
    for (ElfSegment s : loadSegments) {
      low = Math.min(low, s.vaddr());
    }
    return UserSpace.pageDown(low);
  }

  /** End of the last page any load segment touches (exclusive). */
  public long highestVaddrEnd() {
    long high = 0;
    for (ElfSegment s : loadSegments) {
      high = Math.max(high, s.vaddrEnd());
    }
    return UserSpace.pageUp(high);
  }

  @Override
  public String toString() {
    return String.format(
        "ElfImage[%s, entry=0x%x, phdrVaddr=0x%x, phnum=%d, flags=0x%x, %d-byte file, %s]",
        type == ET_DYN ? "ET_DYN" : type == ET_EXEC ? "ET_EXEC" : "type " + type,
        entry,
        phdrVaddr,
        phnum,
        flags,
        file.length,
        loadSegments);
  }
}
