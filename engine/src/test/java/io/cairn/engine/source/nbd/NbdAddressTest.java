package io.cairn.engine.source.nbd;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NbdAddressTest {
    @Test
    void shouldParseUnixSocketAndExportWhenUrlIsNbdUnix() {
        final NbdAddress a = NbdAddress.parse("nbd+unix:///disk0?socket=/run/qemu/nbd.sock");
        assertEquals(NbdAddress.unix(Path.of("/run/qemu/nbd.sock"), "disk0"), a);
        assertEquals("nbd+unix:///disk0?socket=/run/qemu/nbd.sock", a.toString());
    }

    @Test
    void shouldUseDefaultPortWhenTcpUrlHasNone() {
        assertEquals(NbdAddress.tcp("host.example", 10809, "vda"), NbdAddress.parse("nbd://host.example/vda"));
        assertEquals(NbdAddress.tcp("::1", 10810, ""), NbdAddress.parse("nbd://[::1]:10810"));
    }

    @Test
    void shouldRejectWithReasonWhenUrlIsIncompleteOrTls() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NbdAddress.parse("nbd+unix:///disk"))
                .getMessage().contains("needs ?socket=PATH"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NbdAddress.parse("nbds://h/disk"))
                .getMessage().contains("TLS"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NbdAddress.parse("/tmp/disk.img"))
                .getMessage().contains("not an NBD URL"));
    }

    @Test
    void shouldTellUrlsFromFileNamesWhenAsked() {
        assertTrue(NbdAddress.isUrl("nbd+unix:///x?socket=/s"));
        assertEquals(false, NbdAddress.isUrl("/dev/nbd0"));
    }
}
