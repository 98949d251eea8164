/**
 * Guest programs for hartlab, as classpath resources.
 *
 * <p>The programs are small static RISC-V Linux executables written in C against a tiny
 * freestanding runtime ({@code images/guest/runtime}: {@code crt0.S}, raw {@code ecall} syscall
 * wrappers, a little libc with {@code printf}). {@code images/Makefile} builds them reproducibly
 * with {@code riscv64-linux-gnu-gcc} into {@code /hartlab/images/NAME}; the built files are
 * committed, so building hartlab needs no cross compiler, and {@code make check} proves they still
 * match their sources. Every program prints the same stdout and exits with the same status under
 * hartlab and under {@code qemu-riscv64}, which makes them usable as golden tests. {@link
 * hartlab.images.Images} lists and loads them; the kernel's root filesystem and the {@code cli}
 * take them from there.
 */
package hartlab.images;
