package hartlab.loader;

/**
 * A built initial stack: {@code bytes} belong at guest addresses {@code [sp, sp + bytes.length)},
 * which ends at the stackTop given to {@link InitialStack#build}. {@code sp} is the user sp at
 * entry, 16-byte aligned, pointing at argc.
 */
public record StackImage(long sp, byte[] bytes) {

  /** The stack top this image was built for. */
  public long top() {
    return sp + bytes.length;
  }
}
