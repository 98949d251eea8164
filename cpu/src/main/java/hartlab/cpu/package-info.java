/**
 * The hart: an RV64GC user-mode CPU (RV64IMAFDC with Zicsr, Zifencei, and Zicntr) that runs guest
 * code on its own host thread and hands every trap to the kernel.
 *
 * <p>A tour. {@link hartlab.cpu.Hart} holds one hart's registers, pc, virtual clock and LR
 * reservation, and its {@code run} method is the interpreter: it executes decoded instructions from
 * a {@link hartlab.cpu.CodeCache} until a trap, a pending interrupt or a cycle deadline, the last
 * two checked only at block boundaries (taken branches, page changes). {@link
 * hartlab.cpu.CodeCache} keeps decoded instructions per physical page ({@code DecodedPage}: one
 * packed {@code long} per 2-byte slot, decoded lazily on first execution) for all harts of a
 * machine, and drops them when guest stores, the kernel or FENCE.I change code. {@code Decoder} is
 * the instruction table — one line per instruction, its bit pattern as the spec draws it, the
 * {@code Op} it executes and its operand format; compressed instructions expand to the ops of their
 * 32-bit twins. F and D: {@code FpUnit} holds a hart's 32 FP registers, frm and fflags and executes
 * FP instructions (the interpreter does their loads and stores and hands it the rest in one call);
 * {@code SoftFloat} is their IEEE 754 arithmetic in all five rounding modes, host doubles plus
 * error-free transformations on the common path, exact integer arithmetic on the rare one. {@link
 * hartlab.cpu.CostModel} prices every op class and kernel event in cycles; {@link
 * hartlab.cpu.Cause} names the trap causes; {@link hartlab.cpu.TrapHandler} is how the hart's
 * thread loop ({@link hartlab.cpu.Hart#runLoop}) calls the kernel, the module's only way up.
 * Address translation is the {@link hartlab.mmu.Mmu}'s; page-walk cycles it reports are added to
 * the hart's clock.
 *
 * <p>Threads: everything about a hart is touched only by its own thread except its pending
 * interrupt word ({@code raiseInterrupt}, any thread), which lives on its own cache line; the code
 * cache and physical memory are shared by all harts.
 */
package hartlab.cpu;
