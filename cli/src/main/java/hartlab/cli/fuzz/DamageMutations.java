package hartlab.cli.fuzz;

import static hartlab.cli.fuzz.ElfFields.PHDR_SIZE;

import java.util.Arrays;

/** Damage that is not about any field: truncation, bit flips, junk appended. */
final class DamageMutations {
  private DamageMutations() {}

  static void addTo(ElfMutator m) {
    m.add(
        5,
        (f, r) -> {
          int headers = 64 + PHDR_SIZE * Math.min(f.phnum(), 64) + 64;
          int n =
              r.nextBoolean()
                  ? r.nextInt(Math.min(headers, f.length()) + 1)
                  : r.nextInt(f.length() + 1);
          f.truncate(n);
          return "truncated to " + n + " bytes";
        });
    m.add(
        8,
        (f, r) -> {
          if (f.length() == 0) {
            return null;
          }
          int flips = 1 + r.nextInt(8);
          boolean inHeaders = r.nextBoolean();
          int range = inHeaders ? Math.min(f.length(), 64 + PHDR_SIZE * 8) : f.length();
          StringBuilder at = new StringBuilder();
          for (int i = 0; i < flips; i++) {
            int pos = r.nextInt(range);
            int bit = 1 << r.nextInt(8);
            f.bytes()[pos] ^= (byte) bit;
            at.append(i == 0 ? "" : ",").append(String.format("0x%x", pos));
          }
          return "flipped " + flips + " bits at " + at;
        });
    m.add(
        1,
        (f, r) -> {
          int n = 1 + r.nextInt(4096);
          byte[] grown = Arrays.copyOf(f.bytes(), f.length() + n);
          for (int i = f.length(); i < grown.length; i++) {
            grown[i] = (byte) r.nextInt(256);
          }
          f.replace(grown);
          return "appended " + n + " random bytes";
        });
  }
}
