/**
 * The ELF fuzzer behind {@code hartlab fuzz-elf} and the tests' {@code ElfFuzzTest}. {@link
 * hartlab.cli.fuzz.ElfMutator} makes mutant {@code i} of seed {@code s} from a built-in image with
 * structured mutations (header and program-header fields at their edges, the image's place in the
 * Sv39 address space, extra program headers, truncation, bit flips) through {@code ElfFields}, a
 * field-addressed view of a possibly broken file. {@link hartlab.cli.fuzz.ElfFuzzer} boots each
 * mutant on the whole machine exactly as {@code hartlab boot} does, in-process, with small limits,
 * and judges the outcome: the guest ran, the image was refused (65), or a limit stopped it (124);
 * anything else (an internal error, a checker violation, a stack trace, a hang) is a failure
 * reported with the seed and index that rebuild it.
 */
package hartlab.cli.fuzz;
