package hartlab.kernel.fs;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open file description (Linux's struct file): shared by every descriptor that dup, fork or
 * CLONE_FILES made from one open, and released when the last one closes. Each is counted against
 * file-max and charged to kernel memory from its creation to its last close ({@link OpenFiles}).
 */
public abstract sealed class OpenFile permits ConsoleFile, PipeEnd, ProcMapsFile {
  private final AtomicInteger refs = new AtomicInteger(1);
  private final OpenFiles owner;

  /** Allocates the description: ENFILE or ENOMEM (and no object) when none can be had. */
  OpenFile(OpenFiles owner) {
    owner.allocate();
    this.owner = owner;
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
