/**
 * How harts and tasks wait for each other: inter-processor interrupts ({@link
 * hartlab.kernel.smp.Ipis}), the turn-taking of the two execution modes ({@link
 * hartlab.kernel.smp.Turns}), wait queues and the {@link hartlab.kernel.smp.Waits} a subsystem
 * sleeps through, and the machine's {@link hartlab.kernel.smp.Halt}.
 *
 * <p>The one rule that keeps both execution modes alive lives here: a task that must wait sleeps on
 * a {@link hartlab.kernel.smp.WaitQueue} (its hart runs something else); a hart that waits for
 * other harts spins through {@link hartlab.kernel.smp.Ipis#spinUntil}, serving its own IPIs and
 * handing the lockstep turn on. Wait queues live here rather than with tasks because the memory and
 * file subsystems, below the process layer, sleep on them too. Every subsystem may use this
 * package; it uses only {@code stats}.
 */
package hartlab.kernel.smp;
