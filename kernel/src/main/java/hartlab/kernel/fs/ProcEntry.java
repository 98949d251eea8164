package hartlab.kernel.fs;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.Mm;

/**
 * What a file in /proc/self is made of: the contents of a generated file, made when it is opened,
 * or the target of a link, read when it is followed. A subsystem that wants a file there registers
 * one with {@link Vfs#registerProcSelf}; the file system knows nothing of what they show.
 */
public interface ProcEntry {
  /** A file's contents for the process that opens it; runs on its hart, holding no lock. */
  @FunctionalInterface
  interface Generated extends ProcEntry {
    byte[] produce(Hart hart, Mm mm, FsContext caller);
  }

  /** A link's target for the process that follows it. */
  @FunctionalInterface
  interface Link extends ProcEntry {
    String target(FsContext caller);
  }
}
