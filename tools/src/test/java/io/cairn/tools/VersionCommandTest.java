package io.cairn.tools;

import io.cairn.engine.CairnVersion;
import io.cairn.tools.CairnProcess.Result;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cairn --version} names the version, which XXH3-128 implementation computes block ids, and the JIT. */
class VersionCommandTest {
    @Test
    void shouldNameVersionAndHashImplementationWhenAskedForVersion() {
        final Result r = InProcessCairn.exec("--version");
        assertEquals(0, r.exitCode(), r.toString());
        final String[] lines = r.stdout().split("\n");
        assertEquals(3, lines.length, r.stdout());
        assertEquals("cairn " + CairnVersion.VERSION, lines[0]);
        // "native (libxxhash 0.8.1, XXH3_128bits_dispatch)" where libxxhash0 is installed, else "java (why not native)"
        assertTrue(lines[1].matches("block ids: xxh3-128, "
            + "(native \\(libxxhash \\d+\\.\\d+\\.\\d+, XXH3_128bits(_dispatch)?\\)|java \\(.+\\))"), lines[1]);
        assertTrue(lines[2].startsWith("jit: "), lines[2]);
    }

    @Test
    void shouldNameJitModeFromTheLastOptionOfEachKind() {
        assertEquals("tiered (C1 and C2)", Cairn.jitMode(List.of("-Xmx512m")));
        assertEquals("C1 only (-XX:TieredStopAtLevel=1)", Cairn.jitMode(List.of("-XX:TieredStopAtLevel=1")));
        assertEquals("tiered (C1 and C2)",
            Cairn.jitMode(List.of("-XX:TieredStopAtLevel=1", "-XX:TieredStopAtLevel=4")));
        assertEquals("C2 only (-XX:-TieredCompilation)", Cairn.jitMode(List.of("-XX:-TieredCompilation")));
    }
}
