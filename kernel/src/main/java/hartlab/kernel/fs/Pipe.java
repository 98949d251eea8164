package hartlab.kernel.fs;

import hartlab.kernel.smp.WaitQueue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * A pipe's buffer and its two sets of waiters. All fields are guarded by the pipe's monitor, which
 * is also the lock the waiters' conditions are checked under.
 */
final class Pipe {
  static final int CAPACITY = 64 * 1024;

  /** Writes up to this size are atomic: all of it or nothing (POSIX PIPE_BUF). */
  static final int PIPE_BUF = 4096;

  final ByteBuf buffer = Unpooled.buffer(CAPACITY, CAPACITY);
  final WaitQueue readers = new WaitQueue();
  final WaitQueue writers = new WaitQueue();
  int readEnds = 1;
  int writeEnds = 1;

  int space() {
    return CAPACITY - buffer.readableBytes();
  }
}
