package io.cairn.tools.cli;

/** Bad command line: printed with a hint to --help, exit code 2. */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(final String message) {
        super(message);
    }
}
