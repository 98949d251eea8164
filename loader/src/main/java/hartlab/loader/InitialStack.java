package hartlab.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The stack a Linux riscv64 process starts with, laid out as fs/exec.c and fs/binfmt_elf.c
 * (create_elf_tables) do it, without the stack randomisation:
 *
 * <pre>
 *   stackTop  -> +------------------------------+
 *                | 8 zero bytes                 |  bprm->p starts one pointer below the top
 *                | execFn "\0"                  |  AT_EXECFN
 *                | envp strings, envp[0] lowest |  copy_strings: envp, then argv,
 *                | argv strings, argv[0] lowest |  each list copied last string first
 *                | (pad down to 16)             |
 *                | 16 random bytes              |  AT_RANDOM
 *                | (pad, 0 or 8 bytes)          |
 *                | auxv pairs ... AT_NULL, 0    |
 *                | NULL, envp[n-1] .. envp[0]   |  pointers, in order upwards
 *                | NULL, argv[n-1] .. argv[0]   |
 *   sp        -> | argc                         |  16-byte aligned
 *                +------------------------------+
 * </pre>
 */
public final class InitialStack {
  /** Most argv plus envp strings accepted (the kernel's limit is the stack size; ours is fixed). */
  public static final int MAX_STRINGS = 4096;

  /** Most bytes of argv plus envp strings, NULs included. */
  public static final int MAX_STRING_BYTES = 128 * 1024;

  /** Longest execFn, NUL excluded (PATH_MAX - 1). */
  public static final int MAX_EXECFN_BYTES = 4095;

  /** The message every too-large argument list gives; the kernel returns E2BIG for it. */
  public static final String E2BIG_MESSAGE = "argument list too long";

  // include/uapi/linux/auxvec.h
  static final int AT_NULL = 0;
  static final int AT_PHDR = 3;
  static final int AT_PHENT = 4;
  static final int AT_PHNUM = 5;
  static final int AT_PAGESZ = 6;
  static final int AT_BASE = 7;
  static final int AT_FLAGS = 8;
  static final int AT_ENTRY = 9;
  static final int AT_UID = 11;
  static final int AT_EUID = 12;
  static final int AT_GID = 13;
  static final int AT_EGID = 14;
  static final int AT_HWCAP = 16;
  static final int AT_CLKTCK = 17;
  static final int AT_SECURE = 23;
  static final int AT_RANDOM = 25;
  static final int AT_EXECFN = 31;

  private static final long PAGE_SIZE = 4096;
  private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ

  private InitialStack() {}

  /**
   * Lays out the Linux riscv64 process-entry stack below {@code stackTop}. Strings are encoded as
   * UTF-8; use {@link #buildFromBytes} to pass guest bytes through unchanged.
   *
   * @param stackTop first byte above the stack, 16-byte aligned
   * @param random16 the 16 bytes AT_RANDOM points at (the kernel draws them from its seeded RNG so
   *     lockstep runs stay reproducible)
   * @throws IllegalArgumentException with a message starting {@link #E2BIG_MESSAGE} if argv plus
   *     envp exceed {@link #MAX_STRINGS} strings or {@link #MAX_STRING_BYTES} bytes; for any other
   *     bad argument, with a message saying which
   */
  public static StackImage build(
      long stackTop,
      List<String> argv,
      List<String> envp,
      String execFn,
      AuxValues aux,
      byte[] random16) {
    checkCount(argv.size(), envp.size());
    return buildFromBytes(
        stackTop,
        encode(argv),
        encode(envp),
        execFn.getBytes(StandardCharsets.UTF_8),
        aux,
        random16);
  }

  /**
   * As {@link #build}, with each string given as its bytes (no NUL; the terminator is added), e.g.
   * as an execve read them from guest memory.
   */
  public static StackImage buildFromBytes(
      long stackTop,
      List<byte[]> argv,
      List<byte[]> envp,
      byte[] execFn,
      AuxValues aux,
      byte[] random16) {
    Objects.requireNonNull(aux, "aux");
    checkArguments(stackTop, argv, envp, execFn, random16);

    // 1. Strings, from the top down (fs/exec.c: bprm->p, copy_string_kernel, copy_strings).
    long p = stackTop - 8;
    p -= execFn.length + 1;
    long execFnAddr = p;
    long[] envpAddr = placeStrings(envp, p);
    p = envp.isEmpty() ? p : envpAddr[0];
    long[] argvAddr = placeStrings(argv, p);
    p = argv.isEmpty() ? p : argvAddr[0];

    // 2. create_elf_tables: arch_align_stack (no randomisation), then the AT_RANDOM bytes.
    p &= -16L;
    p -= 16;
    long randomAddr = p;

    // 3. The vector: argc, argv, NULL, envp, NULL, auxv; sp rounded down to 16 (STACK_ROUND).
    long[][] auxv = auxv(aux, randomAddr, execFnAddr);
    long words = 1 + (argv.size() + 1) + (envp.size() + 1) + 2L * auxv.length;
    long sp = (p - words * 8) & -16L;

    ByteBuffer out =
        ByteBuffer.allocate(Math.toIntExact(stackTop - sp)).order(ByteOrder.LITTLE_ENDIAN);
    int at = 0;
    out.putLong(at, argv.size());
    at += 8;
    at = putPointers(out, at, argvAddr);
    at = putPointers(out, at, envpAddr);
    for (long[] pair : auxv) {
      out.putLong(at, pair[0]);
      out.putLong(at + 8, pair[1]);
      at += 16;
    }
    out.put(Math.toIntExact(randomAddr - sp), random16);
    putStrings(out, sp, argv, argvAddr);
    putStrings(out, sp, envp, envpAddr);
    out.put(Math.toIntExact(execFnAddr - sp), execFn); // its NUL and the top word stay zero
    return new StackImage(sp, out.array());
  }

  /** The auxiliary vector, in the order the kernel emits it; ends with AT_NULL. */
  private static long[][] auxv(AuxValues aux, long randomAddr, long execFnAddr) {
    return new long[][] {
      {AT_HWCAP, aux.hwcap()},
      {AT_PAGESZ, PAGE_SIZE},
      {AT_CLKTCK, CLOCK_TICKS_PER_SECOND},
      {AT_PHDR, aux.phdr()},
      {AT_PHENT, aux.phent()},
      {AT_PHNUM, aux.phnum()},
      {AT_BASE, aux.base()},
      {AT_FLAGS, 0},
      {AT_ENTRY, aux.entry()},
      {AT_UID, 0},
      {AT_EUID, 0},
      {AT_GID, 0},
      {AT_EGID, 0},
      {AT_SECURE, 0},
      {AT_RANDOM, randomAddr},
      {AT_EXECFN, execFnAddr},
      {AT_NULL, 0},
    };
  }

  /** Places {@code strings} right below {@code top}, last one highest; returns their addresses. */
  private static long[] placeStrings(List<byte[]> strings, long top) {
    long[] addr = new long[strings.size()];
    long p = top;
    for (int i = strings.size() - 1; i >= 0; i--) {
      p -= strings.get(i).length + 1;
      addr[i] = p;
    }
    return addr;
  }

  private static int putPointers(ByteBuffer out, int at, long[] addrs) {
    for (long a : addrs) {
      out.putLong(at, a);
      at += 8;
    }
    out.putLong(at, 0); // terminating NULL
    return at + 8;
  }

  private static void putStrings(ByteBuffer out, long sp, List<byte[]> strings, long[] addrs) {
    for (int i = 0; i < strings.size(); i++) {
      out.put(Math.toIntExact(addrs[i] - sp), strings.get(i));
    }
  }

  private static void checkCount(int argc, int envc) {
    if ((long) argc + envc > MAX_STRINGS) {
      throw new IllegalArgumentException(
          E2BIG_MESSAGE
              + ": "
              + (argc + envc)
              + " argv and envp strings, more than "
              + MAX_STRINGS);
    }
  }

  private static void checkArguments(
      long stackTop, List<byte[]> argv, List<byte[]> envp, byte[] execFn, byte[] random16) {
    checkCount(argv.size(), envp.size());
    long total = stringBytes(argv, "argv") + stringBytes(envp, "envp");
    if (total > MAX_STRING_BYTES) {
      throw new IllegalArgumentException(
          E2BIG_MESSAGE
              + ": argv and envp strings take "
              + total
              + " bytes, more than "
              + MAX_STRING_BYTES);
    }
    checkNoNul(execFn, "execFn");
    if (execFn.length > MAX_EXECFN_BYTES) {
      throw new IllegalArgumentException(
          "InitialStack: execFn is " + execFn.length + " bytes, longer than PATH_MAX allows");
    }
    if (random16 == null || random16.length != 16) {
      throw new IllegalArgumentException("InitialStack: random16 must be exactly 16 bytes");
    }
    if ((stackTop & 15) != 0) {
      throw new IllegalArgumentException(
          String.format("InitialStack: stackTop 0x%x is not 16-byte aligned", stackTop));
    }
    // Strings, pointers, auxv and padding all fit in this bound; below it the layout is sure
    // not to wrap around address 0.
    long bound = total + execFn.length + 8L * (argv.size() + envp.size()) + 1024;
    if (Long.compareUnsigned(stackTop, bound) < 0) {
      throw new IllegalArgumentException(
          String.format("InitialStack: stackTop 0x%x leaves no room for the stack", stackTop));
    }
  }

  /** Bytes the strings take on the stack, NULs included. */
  private static long stringBytes(List<byte[]> strings, String what) {
    long total = 0;
    for (int i = 0; i < strings.size(); i++) {
      byte[] s = strings.get(i);
      checkNoNul(s, what + "[" + i + "]");
      total += s.length + 1;
    }
    return total;
  }

  private static void checkNoNul(byte[] s, String what) {
    for (byte b : s) {
      if (b == 0) {
        throw new IllegalArgumentException("InitialStack: " + what + " contains a NUL byte");
      }
    }
  }

  private static List<byte[]> encode(List<String> strings) {
    List<byte[]> bytes = new ArrayList<>(strings.size());
    for (String s : strings) {
      bytes.add(s.getBytes(StandardCharsets.UTF_8));
    }
    return bytes;
  }
}
