package hartlab.loader;

import java.util.Objects;

/**
 * An executable that hartlab will not load. The message names the file offset of the offending
 * field and says what is wrong, and where it helps, how to rebuild the program.
 */
public final class ElfFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  private final long offset;
  private final String reason;

  /**
   * @param offset file offset of the field (or byte) the problem is at
   * @param reason what is wrong and, where useful, what to do about it
   */
  public ElfFormatException(long offset, String reason) {
    super(
        String.format("at file offset 0x%x: %s", offset, Objects.requireNonNull(reason, "reason")));
    this.offset = offset;
    this.reason = reason;
  }

  /** File offset the problem is at. */
  public long offset() {
    return offset;
  }

  /** The message without the offset prefix. */
  public String reason() {
    return reason;
  }
}
