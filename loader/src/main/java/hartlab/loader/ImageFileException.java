package hartlab.loader;

/**
 * A program file hartlab will not read: missing, not a regular file, too large, or unreadable. The
 * message names the file and says what is wrong and what to do.
 */
public final class ImageFileException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean missing;

  ImageFileException(String message, boolean missing) {
    super(message);
    this.missing = missing;
  }

  /** True if there is no file at that path (the caller may know other names to suggest). */
  public boolean missing() {
    return missing;
  }
}
