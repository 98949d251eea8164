package hartlab.kernel.fs;

/**
 * The machine's console: descriptor 0, 1 or 2 of the first process, or /dev/tty, which reads the
 * console's input and writes its output stream.
 */
final class ConsoleFile extends OpenFile {
  private static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;

  /** 0 reads the console's input, 1 and 2 write its output and error streams, -1 for /dev/tty. */
  final int stream;

  ConsoleFile(OpenFiles owner, int stream) {
    super(owner, stream == 0 ? O_RDONLY : stream > 0 ? O_WRONLY : O_RDWR);
    this.stream = stream;
  }

  /** Where its writes go: the output stream for /dev/tty. */
  int writeStream() {
    return stream < 0 ? 1 : stream;
  }

  @Override
  void lastClose() {}

  @Override
  boolean readable() {
    return stream <= 0;
  }

  @Override
  boolean writable() {
    return stream != 0;
  }
}
