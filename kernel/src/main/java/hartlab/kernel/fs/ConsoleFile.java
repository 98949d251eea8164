package hartlab.kernel.fs;

/** Descriptor 0, 1 or 2 of the first process: the machine's console. */
final class ConsoleFile extends OpenFile {
  /** 0 reads the console's input, 1 and 2 write its output and error streams. */
  final int stream;

  ConsoleFile(OpenFiles owner, int stream) {
    super(owner);
    this.stream = stream;
  }

  @Override
  void lastClose() {}

  @Override
  boolean readable() {
    return stream == 0;
  }

  @Override
  boolean writable() {
    return stream != 0;
  }
}
