package hartlab.kernel.fs;

import hartlab.kernel.smp.Waits;

/**
 * One end of a pipe. Closing the last write end makes readers see EOF; the last read end, writers
 * EPIPE.
 */
final class PipeEnd extends OpenFile {
  final Pipe pipe;
  final boolean writeEnd;

  /** O_NONBLOCK: where a blocking end would sleep, this one returns EAGAIN. */
  final boolean nonBlocking;

  private final Waits waits;

  PipeEnd(Pipe pipe, boolean writeEnd, boolean nonBlocking, Waits waits) {
    this.pipe = pipe;
    this.writeEnd = writeEnd;
    this.nonBlocking = nonBlocking;
    this.waits = waits;
  }

  @Override
  void lastClose() {
    synchronized (pipe) {
      if (writeEnd) {
        pipe.writeEnds--;
        waits.wakeAll(pipe.readers);
      } else {
        pipe.readEnds--;
        waits.wakeAll(pipe.writers);
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
