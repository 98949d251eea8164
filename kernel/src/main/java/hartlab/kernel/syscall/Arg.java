package hartlab.kernel.syscall;

/** What a system call argument is, as its row in the {@link SyscallTable} documents it. */
enum Arg {
  /** A plain integer (a count, an index, a value). */
  INT,
  /** A file descriptor. */
  FD,
  /** A user-space address. */
  PTR,
  /** A user-space address of a NUL-terminated string. */
  STR,
  /** A byte count (size_t). */
  SIZE,
  /** A bit set of flags. */
  FLAGS,
  /** A process or thread id. */
  PID,
  /** A signal number. */
  SIG,
  /** A clock id. */
  CLOCK
}
