package io.cairn.tools;

import io.cairn.engine.CairnVersion;
import io.cairn.tools.CairnProcess.Result;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cairn --version} names the version and which XXH3-128 implementation computes block ids. */
class VersionCommandTest {
    @Test
    void shouldNameVersionAndHashImplementationWhenAskedForVersion() {
        final Result r = InProcessCairn.exec("--version");
        assertEquals(0, r.exitCode(), r.toString());
        final String[] lines = r.stdout().split("\n");
        assertEquals(2, lines.length, r.stdout());
        assertEquals("cairn " + CairnVersion.VERSION, lines[0]);
        // "native (libxxhash 0.8.1, XXH3_128bits_dispatch)" where libxxhash0 is installed, else "java (why not native)"
        assertTrue(lines[1].matches("block ids: xxh3-128, "
            + "(native \\(libxxhash \\d+\\.\\d+\\.\\d+, XXH3_128bits(_dispatch)?\\)|java \\(.+\\))"), lines[1]);
    }
}
