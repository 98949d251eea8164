package hartlab.kernel.fs;

/**
 * An open file of the tree: a regular file, a directory, or a device. Its position and a
 * directory's read cursor are guarded by the {@link Vfs}'s lock.
 */
final class InodeFile extends OpenFile {
  final Inode inode;
  private final Vfs vfs;
  private final boolean readable;
  private final boolean writable;

  long pos;

  /** getdents64's place: the last child name returned (null before the first) and its index. */
  String dirCursor;

  long dirCursorPos;

  InodeFile(
      OpenFiles owner, Vfs vfs, Inode inode, boolean readable, boolean writable, int statusFlags) {
    super(owner, statusFlags);
    this.vfs = vfs;
    this.inode = inode;
    this.readable = readable;
    this.writable = writable;
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
