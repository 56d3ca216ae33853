package io.cairn.nativeio.windows;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** VSS_SNAPSHOT_PROP against windows-hyperv.md 2.4 (size 128, align 8, [mingw-check]); numbers typed in. */
class VssLayoutsTest {
    private static long offset(final String field) {
        return VssLayouts.VSS_SNAPSHOT_PROP.byteOffset(groupElement(field));
    }

    @Test
    void shouldMatchDocumentWhenLayingOutSnapshotProp() {
        final MemoryLayout l = VssLayouts.VSS_SNAPSHOT_PROP;
        assertEquals(128, l.byteSize());
        assertEquals(8, l.byteAlignment());
        assertEquals(0, offset("m_SnapshotId"));
        assertEquals(16, offset("m_SnapshotSetId"));
        assertEquals(32, offset("m_lSnapshotsCount"));
        assertEquals(40, offset("m_pwszSnapshotDeviceObject"));
        assertEquals(48, offset("m_pwszOriginalVolumeName"));
        assertEquals(56, offset("m_pwszOriginatingMachine"));
        assertEquals(64, offset("m_pwszServiceMachine"));
        assertEquals(72, offset("m_pwszExposedName"));
        assertEquals(80, offset("m_pwszExposedPath"));
        assertEquals(88, offset("m_ProviderId"));
        assertEquals(104, offset("m_lSnapshotAttributes"));
        assertEquals(112, offset("m_tsCreationTimestamp"));
        assertEquals(120, offset("m_eStatus"));
    }
}
