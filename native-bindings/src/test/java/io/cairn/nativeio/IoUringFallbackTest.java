package io.cairn.nativeio;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When io_uring cannot be used, {@link IoUring#open} says so with an empty Optional and a reason, never a crash. */
class IoUringFallbackTest {
    @Test
    void shouldOpenEmptyWithReasonWhenNativeAccessIsNotEnabled() throws Exception {
        final String java = ProcessHandle.current().info().command().orElseThrow();
        final Process process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
            IoUringUnavailableProbe.class.getName())).start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), err);
        assertTrue(out.contains("available=false"), out);
        assertTrue(out.contains("reason=native access is not enabled"), out);
        assertTrue(out.contains("open=empty"), out);
        assertFalse(err.contains("restricted method"), "no restricted method may run without the flag: " + err);
    }

    @Test
    void shouldGiveEmptyReasonWhenAvailable() {
        assertEquals(IoUring.available(), IoUring.unavailableReason().isEmpty(), IoUring.unavailableReason());
    }
}
