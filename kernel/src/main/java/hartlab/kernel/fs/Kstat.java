package hartlab.kernel.fs;

/**
 * What stat reports about a file (Linux's struct kstat), and its two user layouts: riscv64's {@code
 * struct stat} (asm-generic/stat.h, 128 bytes) and {@code struct statx} (256 bytes). Owners are
 * always root (uid and gid 0): the guest runs as root.
 */
public record Kstat(
    long dev, long ino, int mode, int nlink, long rdev, long size, long mtimeNs, long blocks) {
  static final int STAT_SIZE = 128, STATX_SIZE = 256;

  /** STATX_BASIC_STATS: type, mode, nlink, uid, gid, atime, mtime, ctime, ino, size, blocks. */
  static final int STATX_BASIC_STATS = 0x7ff;

  private static final int BLKSIZE = 4096;

  public byte[] toStat() {
    byte[] b = new byte[STAT_SIZE];
    putLong(b, 0, dev);
    putLong(b, 8, ino);
    putInt(b, 16, mode);
    putInt(b, 20, nlink);
    putLong(b, 32, rdev);
    putLong(b, 48, size);
    putInt(b, 56, BLKSIZE);
    putLong(b, 64, blocks);
    for (int t = 72; t < 120; t += 16) { // atime, mtime, ctime: all the modification time
      putLong(b, t, Math.floorDiv(mtimeNs, 1_000_000_000L));
      putLong(b, t + 8, Math.floorMod(mtimeNs, 1_000_000_000L));
    }
    return b;
  }

  public byte[] toStatx() {
    byte[] b = new byte[STATX_SIZE];
    putInt(b, 0, STATX_BASIC_STATS);
    putInt(b, 4, BLKSIZE);
    putInt(b, 16, nlink);
    b[28] = (byte) mode;
    b[29] = (byte) (mode >>> 8);
    putLong(b, 32, ino);
    putLong(b, 40, size);
    putLong(b, 48, blocks);
    for (int t : new int[] {64, 96, 112}) { // atime, ctime, mtime (btime is not offered)
      putLong(b, t, Math.floorDiv(mtimeNs, 1_000_000_000L));
      putInt(b, t + 8, (int) Math.floorMod(mtimeNs, 1_000_000_000L));
    }
    putInt(b, 128, (int) (rdev >>> 8));
    putInt(b, 132, (int) (rdev & 0xff));
    putInt(b, 136, (int) (dev >>> 8));
    putInt(b, 140, (int) (dev & 0xff));
    return b;
  }

  private static void putLong(byte[] b, int off, long v) {
    for (int i = 0; i < 8; i++) {
      b[off + i] = (byte) (v >>> (8 * i));
    }
  }

  private static void putInt(byte[] b, int off, int v) {
    for (int i = 0; i < 4; i++) {
      b[off + i] = (byte) (v >>> (8 * i));
    }
  }
}
