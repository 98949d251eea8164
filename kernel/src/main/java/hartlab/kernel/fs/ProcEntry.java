package hartlab.kernel.fs;

/**
 * What a /proc node is made of: nothing stored, everything read from the processes when the node is
 * used ({@link ProcFs} makes them). Each runs under the {@link Vfs}'s lock but {@link File#open}.
 */
sealed interface ProcEntry {
  /**
   * A directory's entries, brought up to date before each getdents ({@code name} null: all of them)
   * and each lookup in it (only entry {@code name}, so that a lookup costs no more with many
   * processes).
   */
  @FunctionalInterface
  non-sealed interface Listing extends ProcEntry {
    void refresh(Inode.Dir dir, String name);
  }

  /** A link's target for the process that follows or reads it; ENOENT when there is none. */
  @FunctionalInterface
  non-sealed interface Link extends ProcEntry {
    String target(FsContext caller);
  }

  /**
   * A file's open: an open file of its own kind, counted against {@code owner}, with open(2)'s
   * access mode and status flags. Runs on the opener's hart, holding no lock.
   */
  @FunctionalInterface
  non-sealed interface File extends ProcEntry {
    OpenFile open(OpenFiles owner, int statusFlags);
  }
}
