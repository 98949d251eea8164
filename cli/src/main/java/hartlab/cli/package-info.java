/**
 * The {@code hartlab} command line: {@code boot} runs a guest and reports statistics, {@code
 * images} lists the built-in guests, {@code bench} measures interpreter speed against qemu-riscv64,
 * {@code fuzz-elf} boots mutated images (see {@link hartlab.cli.fuzz}). {@link hartlab.cli.Cli#run}
 * is the entry point tests use.
 */
package hartlab.cli;
