package hartlab.kernel.fs;

/**
 * An open file of the tree: a regular file, a directory, a device or a /proc file. Its position and
 * a directory's read cursor are guarded by the {@link Vfs}'s lock.
 */
final class InodeFile extends OpenFile {
  final Inode inode;
  private final Vfs vfs;
  private final boolean readable;
  private final boolean writable;

  /** A /proc file's contents, made at open; null for every other kind. */
  final byte[] generated;

  long pos;

  /** getdents64's place: the last child name returned (null before the first) and its index. */
  String dirCursor;

  long dirCursorPos;

  InodeFile(
      OpenFiles owner,
      Vfs vfs,
      Inode inode,
      boolean readable,
      boolean writable,
      int statusFlags,
      byte[] generated) {
    super(owner, statusFlags);
    this.vfs = vfs;
    this.inode = inode;
    this.readable = readable;
    this.writable = writable;
    this.generated = generated;
  }

  @Override
  void lastClose() {
    vfs.closed(inode);
  }

  @Override
  boolean readable() {
    return readable;
  }

  @Override
  boolean writable() {
    return writable;
  }
}
