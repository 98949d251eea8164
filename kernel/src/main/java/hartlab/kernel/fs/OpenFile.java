package hartlab.kernel.fs;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open file description (Linux's struct file): shared by every descriptor that dup, fork or
 * CLONE_FILES made from one open, and released when the last one closes.
 */
public abstract sealed class OpenFile permits ConsoleFile, PipeEnd {
  private final AtomicInteger refs = new AtomicInteger(1);

  OpenFile retain() {
    refs.incrementAndGet();
    return this;
  }

  void release() {
    if (refs.decrementAndGet() == 0) {
      lastClose();
    }
  }

  /** The last descriptor went away. */
  abstract void lastClose();

  abstract boolean readable();

  abstract boolean writable();
}
