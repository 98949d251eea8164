package hartlab.loader;

/**
 * The per-process auxiliary-vector values the kernel supplies. {@link InitialStack} adds the fixed
 * ones (AT_PAGESZ, AT_CLKTCK, ids, AT_SECURE) and the two addresses it lays out itself (AT_RANDOM,
 * AT_EXECFN).
 *
 * @param phdr AT_PHDR: guest address of the program headers, 0 if not loaded
 * @param phent AT_PHENT: size of one program header (56)
 * @param phnum AT_PHNUM
 * @param entry AT_ENTRY: the program's entry point (after relocation)
 * @param base AT_BASE: the interpreter's load address; 0 for static and static-pie programs
 * @param hwcap AT_HWCAP: one bit per single-letter ISA extension, see {@link #hwcapForIsa}
 */
public record AuxValues(long phdr, int phent, int phnum, long entry, long base, long hwcap) {

  /** Values for a static program: {@code image} must already be relocated to where it runs. */
  public static AuxValues forImage(ElfImage image, long hwcap) {
    return new AuxValues(
        image.phdrVaddr(), image.phentsize(), image.phnum(), image.entry(), 0, hwcap);
  }

  /** The single-letter extensions of an RV64GC hart, as Linux lists them in AT_HWCAP. */
  public static final String RV64GC = "imafdc";

  /**
   * AT_HWCAP as Linux riscv reports it: bit {@code c - 'a'} for each single-letter extension, e.g.
   * {@code hwcapForIsa(RV64GC)}, that is {@code "imafdc"}, is 0x112d.
   *
   * @throws IllegalArgumentException for a character outside a..z
   */
  public static long hwcapForIsa(String letters) {
    long hwcap = 0;
    for (char c : letters.toLowerCase(java.util.Locale.ROOT).toCharArray()) {
      if (c < 'a' || c > 'z') {
        throw new IllegalArgumentException("hwcapForIsa: '" + c + "' is not an ISA letter");
      }
      hwcap |= 1L << (c - 'a');
    }
    return hwcap;
  }
}
