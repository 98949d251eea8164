package hartlab.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InitialStackTest {
  private static final long TOP = 0x3f_ffff_f000L;
  private static final byte[] RANDOM = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, (byte) 0xff
  };
  private static final AuxValues AUX =
      new AuxValues(0x10040, 56, 4, 0x10200, 0, AuxValues.hwcapForIsa("imac"));

  /** Reads a built stack back the way a guest's _start and libc would. */
  private record Reader(StackImage stack) {
    long word(long addr) {
      assertTrue(addr >= stack.sp() && addr + 8 <= stack.top(), () -> "outside: " + addr);
      return ByteBuffer.wrap(stack.bytes())
          .order(ByteOrder.LITTLE_ENDIAN)
          .getLong((int) (addr - stack.sp()));
    }

    byte[] bytes(long addr, int n) {
      byte[] out = new byte[n];
      System.arraycopy(stack.bytes(), (int) (addr - stack.sp()), out, 0, n);
      return out;
    }

    String string(long addr) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int i = (int) (addr - stack.sp()); stack.bytes()[i] != 0; i++) {
        out.write(stack.bytes()[i]);
      }
      return out.toString(StandardCharsets.UTF_8);
    }

    long argc() {
      return word(stack.sp());
    }

    List<String> argv() {
      return strings(stack.sp() + 8);
    }

    List<String> envp() {
      return strings(stack.sp() + 8 + 8 * (argc() + 1));
    }

    /** NULL-terminated pointer array at {@code at}. */
    private List<String> strings(long at) {
      List<String> out = new ArrayList<>();
      for (long p; (p = word(at)) != 0; at += 8) {
        out.add(string(p));
      }
      return out;
    }

    /** Auxv entries in order; AT_NULL is the last key. */
    Map<Long, Long> auxv() {
      long at = stack.sp() + 8 + 8 * (argc() + 1) + 8 * (envp().size() + 1);
      Map<Long, Long> out = new LinkedHashMap<>();
      while (true) {
        long type = word(at);
        out.put(type, word(at + 8));
        at += 16;
        if (type == InitialStack.AT_NULL) {
          return out;
        }
      }
    }
  }

  private static StackImage build(List<String> argv, List<String> envp) {
    return InitialStack.build(TOP, argv, envp, "/bin/hello", AUX, RANDOM);
  }

  @Test
  void argcArgvEnvpReadBack() {
    List<String> argv = List.of("/bin/hello", "-n", "3", "héllo wörld");
    List<String> envp = List.of("HOME=/", "PATH=/bin", "LANG=C.UTF-8");
    Reader r = new Reader(build(argv, envp));
    assertEquals(4, r.argc());
    assertEquals(argv, r.argv());
    assertEquals(envp, r.envp());
  }

  @Test
  void spIsAlignedAndBytesEndAtStackTop() {
    for (int n = 0; n < 40; n++) {
      List<String> argv = new ArrayList<>();
      for (int i = 0; i <= n; i++) {
        argv.add("a".repeat(i));
      }
      StackImage s = build(argv, List.of("X=" + "y".repeat(n)));
      assertEquals(0, s.sp() & 15, "sp alignment for n=" + n);
      assertEquals(TOP, s.sp() + s.bytes().length);
      assertEquals(TOP, s.top());
    }
  }

  @Test
  void auxvHasEveryEntryInKernelOrder() {
    StackImage s = build(List.of("/bin/hello"), List.of("A=1"));
    Reader r = new Reader(s);
    Map<Long, Long> auxv = r.auxv();
    assertEquals(
        List.of(16L, 6L, 17L, 3L, 4L, 5L, 7L, 8L, 9L, 11L, 12L, 13L, 14L, 23L, 25L, 31L, 0L),
        new ArrayList<>(auxv.keySet()));
    assertEquals(AuxValues.hwcapForIsa("imac"), auxv.get(16L));
    assertEquals((1L << 8) | (1L << 12) | 1L | (1L << 2), auxv.get(16L)); // I M A C
    assertEquals(4096, auxv.get(6L));
    assertEquals(100, auxv.get(17L));
    assertEquals(0x10040, auxv.get(3L));
    assertEquals(56, auxv.get(4L));
    assertEquals(4, auxv.get(5L));
    assertEquals(0, auxv.get(7L));
    assertEquals(0, auxv.get(8L));
    assertEquals(0x10200, auxv.get(9L));
    for (long id : List.of(11L, 12L, 13L, 14L, 23L)) {
      assertEquals(0, auxv.get(id), "auxv type " + id);
    }
    assertEquals(0, auxv.get(0L));
    assertEquals("/bin/hello", r.string(auxv.get(31L)));
  }

  @Test
  void atRandomPointsAtTheRandomBytes() {
    Reader r = new Reader(build(List.of("x"), List.of()));
    long addr = r.auxv().get((long) InitialStack.AT_RANDOM);
    assertEquals(0, addr & 15);
    assertArrayEquals(RANDOM, r.bytes(addr, 16));
  }

  @Test
  void stringsAreLaidOutAsLinuxCopiesThem() {
    List<String> argv = List.of("prog", "arg1");
    List<String> envp = List.of("A=1", "BB=22");
    StackImage s = build(argv, envp);
    Reader r = new Reader(s);
    long argv0 = r.word(s.sp() + 8);
    long argv1 = r.word(s.sp() + 16);
    long envp0 = r.word(s.sp() + 32);
    long envp1 = r.word(s.sp() + 40);
    long execFn = r.auxv().get((long) InitialStack.AT_EXECFN);
    // Contiguous, each after the previous one's NUL: argv, then envp, then execFn.
    assertEquals(argv0 + 5, argv1);
    assertEquals(argv1 + 5, envp0);
    assertEquals(envp0 + 4, envp1);
    assertEquals(envp1 + 6, execFn);
    // execFn ends one pointer below the top, and that pointer is zero.
    assertEquals(TOP - 8 - "/bin/hello".length() - 1, execFn);
    assertEquals(0, r.word(TOP - 8));
    // The random bytes sit just below the strings, aligned down to 16.
    long random = r.auxv().get((long) InitialStack.AT_RANDOM);
    assertEquals((argv0 & -16L) - 16, random);
  }

  @Test
  void emptyArgvAndEnvp() {
    Reader r = new Reader(build(List.of(), List.of()));
    assertEquals(0, r.argc());
    assertEquals(List.of(), r.argv());
    assertEquals(List.of(), r.envp());
    assertEquals(17, r.auxv().size());
  }

  @Test
  void buildFromBytesKeepsNonUtf8BytesUnchanged() {
    byte[] raw = {(byte) 0xff, (byte) 0xfe, 'x'};
    StackImage s =
        InitialStack.buildFromBytes(
            TOP,
            List.of(raw),
            List.of(),
            "/bin/x".getBytes(StandardCharsets.US_ASCII),
            AUX,
            RANDOM);
    Reader r = new Reader(s);
    long argv0 = r.word(s.sp() + 8);
    assertArrayEquals(new byte[] {(byte) 0xff, (byte) 0xfe, 'x', 0}, r.bytes(argv0, 4));
  }

  @Test
  void auxValuesForImage() throws ElfFormatException {
    ElfImage img = ElfParser.parse(TestElf.staticPie().build()).relocate(0x40000);
    AuxValues aux = AuxValues.forImage(img, 0);
    assertEquals(new AuxValues(0x40040, 56, 7, 0x40200, 0, 0), aux);
  }

  // ---- limits ----

  @Test
  void rejectsTooManyStrings() {
    List<String> argv = Collections.nCopies(4000, "a");
    List<String> envp = Collections.nCopies(97, "B=1");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> build(argv, envp));
    assertTrue(e.getMessage().startsWith(InitialStack.E2BIG_MESSAGE), e.getMessage());
  }

  @Test
  void acceptsExactly4096Strings() {
    Reader r = new Reader(build(Collections.nCopies(4000, "a"), Collections.nCopies(96, "B")));
    assertEquals(4000, r.argc());
    assertEquals(96, r.envp().size());
  }

  @Test
  void rejectsMoreThan128KiBOfStrings() {
    String big = "x".repeat(64 * 1024); // 64 KiB + NUL each
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> build(List.of(big), List.of(big)));
    assertTrue(e.getMessage().startsWith("argument list too long"), e.getMessage());
  }

  @Test
  void accepts128KiBOfStrings() {
    String s = "x".repeat(64 * 1024 - 1);
    Reader r = new Reader(build(List.of(s), List.of(s)));
    assertEquals(List.of(s), r.argv());
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(
        IllegalArgumentException.class,
        () -> InitialStack.build(TOP, List.of("a"), List.of(), "/x", AUX, new byte[8]));
    assertThrows(
        IllegalArgumentException.class,
        () -> InitialStack.build(TOP + 8, List.of("a"), List.of(), "/x", AUX, RANDOM));
    assertThrows(
        IllegalArgumentException.class,
        () -> InitialStack.build(TOP, List.of("a\0b"), List.of(), "/x", AUX, RANDOM));
    assertThrows(
        IllegalArgumentException.class,
        () -> InitialStack.build(0x100, List.of("a"), List.of(), "/x", AUX, RANDOM));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            InitialStack.build(TOP, List.of("a"), List.of(), "/" + "x".repeat(4095), AUX, RANDOM));
  }

  @Test
  void hwcapRejectsNonLetters() {
    assertThrows(IllegalArgumentException.class, () -> AuxValues.hwcapForIsa("rv64"));
  }

  /** Linux's COMPAT_HWCAP_ISA_I|M|A|F|D|C for an RV64GC hart: bits 8, 12, 0, 5, 3, 2. */
  @Test
  void hwcapOfRv64gc() {
    assertEquals(0x112dL, AuxValues.hwcapForIsa(AuxValues.RV64GC));
    assertEquals(0x112dL, AuxValues.hwcapForIsa("IMAFDC"));
    assertEquals(0x1105L, AuxValues.hwcapForIsa("imac"));
  }
}
