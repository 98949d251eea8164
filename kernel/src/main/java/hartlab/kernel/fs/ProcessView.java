package hartlab.kernel.fs;

import hartlab.kernel.mm.Mm;
import java.util.List;

/**
 * The processes as /proc shows them. The process table is above the file system, so it reaches down
 * through this; {@link Vfs#attachProcesses} wires it once the table exists.
 */
public interface ProcessView {
  /** One process: its id, its address space (for maps) and its place in the tree (for exe). */
  record Entry(int pid, Mm mm, FsContext fs) {}

  /** Every process not yet reaped (zombies included, as Linux lists them), in pid order. */
  List<Entry> list();

  /** Process {@code pid}, or null once it has been reaped (or never was). */
  Entry find(int pid);

  /** No processes: /proc holds only {@code self} until the table is attached. */
  ProcessView NONE =
      new ProcessView() {
        @Override
        public List<Entry> list() {
          return List.of();
        }

        @Override
        public Entry find(int pid) {
          return null;
        }
      };
}
