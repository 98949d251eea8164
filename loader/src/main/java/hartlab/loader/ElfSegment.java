package hartlab.loader;

/**
 * One PT_LOAD segment: {@code memSize} bytes at {@code vaddr}, of which the first {@code fileSize}
 * come from the file at {@code fileOffset} and the rest are zero (bss).
 *
 * <p>Segments returned by {@link ElfParser} are validated: {@code fileSize <= memSize}, the file
 * range lies inside the file, {@code vaddr % 4096 == fileOffset % 4096} when {@code fileSize > 0},
 * and {@code [vaddr, vaddr + memSize)} lies in Sv39 user space and overlaps no other segment.
 *
 * @param flags PF_R | PF_W | PF_X bits as in {@code p_flags}
 * @param align {@code p_align}: 0, 1 or a power of two
 */
public record ElfSegment(
    long vaddr, long memSize, long fileOffset, long fileSize, int flags, long align) {
  public static final int PF_X = 1;
  public static final int PF_W = 2;
  public static final int PF_R = 4;

  public boolean readable() {
    return (flags & PF_R) != 0;
  }

  public boolean writable() {
    return (flags & PF_W) != 0;
  }

  public boolean executable() {
    return (flags & PF_X) != 0;
  }

  /** First byte past the segment in memory. */
  public long vaddrEnd() {
    return vaddr + memSize;
  }

  ElfSegment shifted(long bias) {
    return new ElfSegment(vaddr + bias, memSize, fileOffset, fileSize, flags, align);
  }

  /** Permissions as readelf prints them, e.g. {@code R E} is "R-X" here. */
  String permissions() {
    return (readable() ? "R" : "-") + (writable() ? "W" : "-") + (executable() ? "X" : "-");
  }

  @Override
  public String toString() {
    return String.format(
        "ElfSegment[vaddr=0x%x, memSize=0x%x, fileOffset=0x%x, fileSize=0x%x, %s, align=0x%x]",
        vaddr, memSize, fileOffset, fileSize, permissions(), align);
  }
}
