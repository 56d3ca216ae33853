package io.cairn.tools;

import io.cairn.tools.CairnProcess.Result;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Runs a {@code cairn} command through {@link Cairn#run} inside the test JVM: the same command code, arguments,
 * output and exit code as the child JVM of {@link CairnProcess}, without the half second of JVM start. The fault
 * suites use it for the many checks after each fault (verify, list, restore, the next backup); what is killed or
 * must fail on its own is always a real child process.
 */
final class InProcessCairn {
    private InProcessCairn() {
    }

    static Result exec(final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Cairn.run(args, o, e);
        }
        return new Result(List.of(args), code, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }
}
