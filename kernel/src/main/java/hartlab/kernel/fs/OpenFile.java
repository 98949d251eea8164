package hartlab.kernel.fs;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open file description (Linux's struct file): shared by every descriptor that dup, fork or
 * CLONE_FILES made from one open, and released when the last one closes. Each is counted against
 * file-max and charged to kernel memory from its creation to its last close ({@link OpenFiles}).
 */
public abstract sealed class OpenFile permits ConsoleFile, PipeEnd, InodeFile, ProcMapsFile {
  private final AtomicInteger refs = new AtomicInteger(1);
  private final OpenFiles owner;

  /** The flags F_GETFL reports and F_SETFL may change: O_APPEND and O_NONBLOCK among them. */
  private volatile int statusFlags;

  /** Allocates the description: ENFILE or ENOMEM (and no object) when none can be had. */
  OpenFile(OpenFiles owner, int statusFlags) {
    owner.allocate();
    this.owner = owner;
    this.statusFlags = statusFlags;
  }

  /** open(2)'s flags as F_GETFL returns them: the access mode and the status flags. */
  public int statusFlags() {
    return statusFlags;
  }

  /** F_SETFL: only O_APPEND and O_NONBLOCK change, as in Linux's setfl. */
  public void setStatusFlags(int flags) {
    int changeable = Vfs.O_APPEND | FileIo.O_NONBLOCK;
    statusFlags = (statusFlags & ~changeable) | (flags & changeable);
  }

  boolean nonBlocking() {
    return (statusFlags & FileIo.O_NONBLOCK) != 0;
  }

  OpenFile retain() {
    refs.incrementAndGet();
    return this;
  }

  void release() {
    if (refs.decrementAndGet() == 0) {
      lastClose();
      owner.free();
    }
  }

  /** The last descriptor went away. */
  abstract void lastClose();

  abstract boolean readable();

  abstract boolean writable();
}
