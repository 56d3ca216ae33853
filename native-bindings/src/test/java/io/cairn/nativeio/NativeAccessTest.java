package io.cairn.nativeio;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeAccessTest {
    @Test
    void shouldBeAvailableWhenNativeAccessIsEnabled() {
        assertTrue(NativeAccess.available(), NativeAccess.unavailableReason());
        assertEquals("", NativeAccess.unavailableReason());
    }

    @Test
    void shouldNameTheFlagAndStayQuietWhenNativeAccessIsNotEnabled() throws Exception {
        final String java = ProcessHandle.current().info().command().orElseThrow();
        final Process process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
            NativeAccessProbe.class.getName())).start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), err);
        assertTrue(out.contains("available=false"), out);
        assertTrue(out.contains("reason=native access is not enabled for the class path; start the JVM with "
            + "--enable-native-access=ALL-UNNAMED"), out);
        assertTrue(out.contains("terminal=false"), out);
        assertTrue(out.contains("describe=errno 5"), out);
        assertTrue(out.contains("xxhash=false native access is not enabled"), out);
        assertTrue(out.contains("open=native access is not enabled"), out);
        assertFalse(err.contains("restricted method"), "no restricted method may run without the flag: " + err);
    }
}
