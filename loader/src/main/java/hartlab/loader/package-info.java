/**
 * Turns a guest program file into what the kernel needs to start it, without touching guest memory
 * itself. {@link hartlab.loader.ImageFiles} reads the file from the host, only if it is a regular
 * file and at most 64 MiB, without ever blocking on it. {@link hartlab.loader.ElfParser} reads a
 * static RISC-V Linux executable (ELF-64, little-endian, EM_RISCV, RV64GC with the lp64, lp64f or
 * lp64d ABI) through a netty {@code ByteBuf}, checks every header field and bound ({@code
 * ElfHeader} the ELF header, {@code ProgramHeader} each program header, the parser the rules across
 * them), and either throws an {@link hartlab.loader.ElfFormatException} naming the file offset, the
 * fault and the fix (including segments that would not fit below the stack in the {@link
 * hartlab.loader.UserSpace} layout), or returns an {@link hartlab.loader.ElfImage}: entry point,
 * the PT_LOAD segments as {@link hartlab.loader.ElfSegment}s, and where the program headers sit in
 * memory (AT_PHDR). A static-pie (ET_DYN) image is moved to its load address with {@link
 * hartlab.loader.ElfImage#relocate}; the kernel maps the segments page by page and copies their
 * file bytes with {@link hartlab.loader.ElfImage#copySegmentData}. Then {@link
 * hartlab.loader.InitialStack} lays out argc, argv, envp and the auxiliary vector exactly as
 * Linux's create_elf_tables does, as a {@link hartlab.loader.StackImage} the kernel writes below
 * the stack top with copy_to_user. Nothing here knows the kernel exists.
 */
package hartlab.loader;
