package hartlab.cli;

/**
 * The command line asks for something hartlab cannot do: a value out of its range, an empty
 * argument, an output file that cannot be written. {@link Cli} prints the message with a pointer to
 * {@code --help} and exits with {@link ExitCodes#USAGE}. Thrown before the machine is built, so
 * nothing has run yet.
 */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
