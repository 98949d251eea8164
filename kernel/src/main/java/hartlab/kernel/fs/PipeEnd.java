package hartlab.kernel.fs;

import hartlab.kernel.smp.Waits;

/**
 * One end of a pipe. Closing the last write end makes readers see EOF; the last read end, writers
 * EPIPE (and the data nobody can read any more is dropped); the last of both frees the pipe.
 */
final class PipeEnd extends OpenFile {
  final Pipe pipe;
  final boolean writeEnd;

  private final Waits waits;

  /**
   * With O_NONBLOCK, where a blocking end would sleep, this one returns EAGAIN. Allocates the
   * description (ENFILE/ENOMEM) and only then counts as one of the pipe's ends.
   */
  PipeEnd(OpenFiles owner, Pipe pipe, boolean writeEnd, boolean nonBlocking, Waits waits) {
    super(owner, (writeEnd ? 1 : 0) | (nonBlocking ? FileIo.O_NONBLOCK : 0));
    this.pipe = pipe;
    this.writeEnd = writeEnd;
    this.waits = waits;
    synchronized (pipe) {
      if (writeEnd) {
        pipe.writeEnds++;
      } else {
        pipe.readEnds++;
      }
    }
  }

  @Override
  void lastClose() {
    synchronized (pipe) {
      if (writeEnd) {
        pipe.writeEnds--;
        waits.wakeAll(pipe.readers);
      } else {
        pipe.readEnds--;
        if (pipe.readEnds == 0) {
          pipe.releasePages();
        }
        waits.wakeAll(pipe.writers);
      }
      if (pipe.readEnds == 0 && pipe.writeEnds == 0) {
        pipe.free();
      }
    }
  }

  @Override
  boolean readable() {
    return !writeEnd;
  }

  @Override
  boolean writable() {
    return writeEnd;
  }
}
