package io.cairn.tools;

import com.github.luben.zstd.util.Native;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher's training workload (its AOT cache is made from whatever this runs): every step passes, the restore
 * matches, nothing is left behind, and the zstd library copy is the jar's library under the name zstd-jni's
 * {@code Native.load()} asks {@code System.loadLibrary} for. The launcher itself is checked end to end by
 * .ci/launcher-check.sh.
 */
class AotTrainingTest {
    @TempDir
    Path tmp;

    @Test
    void shouldPassEveryStepAndLeaveNothingBehindWhenTrained() throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = AotTraining.train(tmp, o, e);
        }
        final String log = err.toString(StandardCharsets.UTF_8);
        assertEquals(Cairn.OK, code, log);
        assertTrue(log.contains("training: all steps passed"), log);
        assertTrue(log.contains("incremental of train"), log);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("\"type\":\"full\""), "backup --json ran");
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(0, left.count(), "training deletes its directory");
        }
    }

    @Test
    void shouldCopyTheJarsLibraryUnderTheNameLoadLibraryLooksFor() throws IOException {
        final String version = Native.class.getPackage().getImplementationVersion();
        final String name = "libzstd-jni-" + version + ".so";
        final Path dir = tmp.resolve("native");

        final String what = AotTraining.extractZstdLibrary(dir);

        assertEquals(dir.resolve(name).toString(), what);
        try (InputStream in = Native.class.getResourceAsStream("/linux/" + System.getProperty("os.arch") + "/" + name)) {
            assertArrayEquals(in.readAllBytes(), Files.readAllBytes(dir.resolve(name)));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left next to the library");
        }
        assertEquals(dir.resolve(name).toString(), AotTraining.extractZstdLibrary(dir), "a second copy replaces it");
    }
}
