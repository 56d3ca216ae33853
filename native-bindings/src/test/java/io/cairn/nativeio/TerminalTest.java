package io.cairn.nativeio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TerminalTest {
    @TempDir
    Path dir;

    @Test
    void shouldNotBeTerminalWhenDescriptorIsRegularFileOrClosed() throws IOException {
        final Path file = dir.resolve("plain");
        Files.write(file, new byte[]{1});
        try (LinuxFile f = LinuxFile.openRead(file, false)) {
            assertFalse(Terminal.isTerminal(f.fd()));
        }
        assertFalse(Terminal.isTerminal(-1));
    }

    @Test
    void shouldBeTerminalWhenDescriptorIsPseudoTerminalMaster() throws IOException {
        final Path ptmx = Path.of("/dev/ptmx");
        assumeTrue(Files.exists(ptmx), "no /dev/ptmx to open a pseudo-terminal");
        try (LinuxFile master = LinuxFile.openWrite(ptmx, false, false)) {
            assertTrue(Terminal.isTerminal(master.fd()));
        }
    }
}
