/**
 * What the guest sees of the kernel's interface and nothing else: errno values, and the {@link
 * hartlab.kernel.uapi.SyscallError} kernel code throws to fail a system call with one. Every other
 * kernel package may use it; it uses none of them.
 */
package hartlab.kernel.uapi;
