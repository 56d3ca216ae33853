package io.cairn.engine.source.nbd;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NbdClient against a scripted fake server that lies, stalls or hangs up: clear IOExceptions, no hang. */
class HostileNbdServerTest {
    private static final Duration SHORT = Duration.ofMillis(300);
    private static final long SIZE = 1 << 20;

    @TempDir
    Path dir;
    private FakeNbdServer server;
    private final CountDownLatch never = new CountDownLatch(1);

    @AfterEach
    void stop() throws IOException {
        never.countDown();
        if (server != null) {
            server.close();
        }
    }

    private NbdClient connect(final FakeNbdServer.Script script) throws IOException {
        server = new FakeNbdServer(dir.resolve("fake.sock"), script);
        return NbdClient.connect(server.address(), List.of(NbdClient.BASE_ALLOCATION), SHORT);
    }

    private IOException failConnect(final FakeNbdServer.Script script) throws IOException {
        server = new FakeNbdServer(dir.resolve("fake.sock"), script);
        return assertThrows(IOException.class,
                () -> NbdClient.connect(server.address(), List.of(), SHORT).close());
    }

    @Test
    void shouldRejectServerWhenGreetingMagicIsWrong() throws Exception {
        final IOException e = failConnect((in, out) -> {
            out.writeBytes("HTTP/1.1 400 Bad Request\r\n");
            out.flush();
            never.await();
        });
        assertTrue(e.getMessage().contains("is not an NBD server"), e.getMessage());
    }

    @Test
    void shouldFailClearlyWhenServerHangsUpAfterGreeting() throws Exception {
        final IOException e = failConnect((in, out) -> {
            out.writeLong(NbdProtocol.NBDMAGIC);
            out.writeLong(NbdProtocol.IHAVEOPT);
            out.flush();
        });
        assertTrue(e.getMessage().contains("hung up during the NBD greeting"), e.getMessage());
    }

    @Test
    void shouldTimeOutWhenServerNeverAnswers() throws Exception {
        final IOException e = failConnect((in, out) -> never.await());
        assertTrue(e.getMessage().contains("did not answer within 300 ms"), e.getMessage());
    }

    @Test
    void shouldRefuseHugeOptionReplyWhenServerSendsBogusLength() throws Exception {
        final IOException e = failConnect((in, out) -> {
            out.writeLong(NbdProtocol.NBDMAGIC);
            out.writeLong(NbdProtocol.IHAVEOPT);
            out.writeShort(NbdProtocol.FLAG_FIXED_NEWSTYLE);
            out.flush();
            in.readInt();
            FakeNbdServer.optionReply(out, NbdProtocol.OPT_STRUCTURED_REPLY, NbdProtocol.REP_ACK, 0xFFFFFFF0);
            out.flush();
            never.await();
        });
        assertTrue(e.getMessage().contains("4294967280-byte reply"), e.getMessage());
    }

    @Test
    void shouldRejectDataChunkWhenItIsLongerThanTheRequest() throws Exception {
        try (Arena arena = Arena.ofConfined(); NbdClient client = connect((in, out) -> {
            FakeNbdServer.handshake(in, out, SIZE);
            final long[] r = FakeNbdServer.request(in);
            FakeNbdServer.chunk(out, 1, NbdProtocol.REPLY_TYPE_OFFSET_DATA, r[1], 0x7FFFFFF0L);
            out.flush();
            never.await();
        })) {
            final MemorySegment buffer = arena.allocate(4096);
            final IOException e = assertThrows(IOException.class, () -> client.read(buffer, 0, 4096));
            assertTrue(e.getMessage().contains("OFFSET_DATA chunk of 2147483632 bytes"), e.getMessage());
            final IOException later = assertThrows(IOException.class, () -> client.read(buffer, 0, 4096));
            assertTrue(later.getMessage().contains("unusable after an earlier error"), later.getMessage());
        }
    }

    @Test
    void shouldFailClearlyWhenServerHangsUpInTheMiddleOfData() throws Exception {
        try (Arena arena = Arena.ofConfined(); NbdClient client = connect((in, out) -> {
            FakeNbdServer.handshake(in, out, SIZE);
            final long[] r = FakeNbdServer.request(in);
            FakeNbdServer.chunk(out, 1, NbdProtocol.REPLY_TYPE_OFFSET_DATA, r[1], 8 + r[3]);
            out.writeLong(r[2]);
            out.write(new byte[100]);
        })) {
            final MemorySegment buffer = arena.allocate(4096);
            final IOException e = assertThrows(IOException.class, () -> client.read(buffer, 8192, 4096));
            assertTrue(e.getMessage().contains("hung up during the NBD_CMD_READ reply (offset 8192, length 4096"),
                    e.getMessage());
        }
    }

    @Test
    void shouldTimeOutWhenServerStallsInTheMiddleOfAReply() throws Exception {
        try (Arena arena = Arena.ofConfined(); NbdClient client = connect((in, out) -> {
            FakeNbdServer.handshake(in, out, SIZE);
            final long[] r = FakeNbdServer.request(in);
            FakeNbdServer.chunk(out, 1, NbdProtocol.REPLY_TYPE_OFFSET_DATA, r[1], 8 + r[3]);
            out.flush();
            never.await();
        })) {
            final MemorySegment buffer = arena.allocate(4096);
            final IOException e = assertThrows(IOException.class, () -> client.read(buffer, 0, 4096));
            assertTrue(e.getMessage().contains("did not answer within 300 ms during NBD_CMD_READ"), e.getMessage());
        }
    }

    @Test
    void shouldAssembleReadWhenServerSendsDataAndHoleChunks() throws Exception {
        try (Arena arena = Arena.ofConfined(); NbdClient client = connect((in, out) -> {
            FakeNbdServer.handshake(in, out, SIZE);
            final long[] r = FakeNbdServer.request(in); // 8192 bytes: hole first half, 0x7E second half
            FakeNbdServer.chunk(out, 0, NbdProtocol.REPLY_TYPE_OFFSET_DATA, r[1], 8 + 4096);
            out.writeLong(r[2] + 4096);
            out.write(filled(4096, 0x7E));
            FakeNbdServer.chunk(out, 1, NbdProtocol.REPLY_TYPE_OFFSET_HOLE, r[1], 12);
            out.writeLong(r[2]);
            out.writeInt(4096);
            out.flush();
            never.await();
        })) {
            final MemorySegment buffer = arena.allocate(8192).fill((byte) 0x55);
            client.read(buffer, 65536, 8192);
            assertEquals(-1, buffer.asSlice(0, 4096).mismatch(arena.allocate(4096)));
            assertEquals(-1, buffer.asSlice(4096).mismatch(MemorySegment.ofArray(filled(4096, 0x7E))));
        }
    }

    @Test
    void shouldReportServerMessageAndStayUsableWhenServerSendsErrorChunk() throws Exception {
        try (Arena arena = Arena.ofConfined(); NbdClient client = connect((in, out) -> {
            FakeNbdServer.handshake(in, out, SIZE);
            long[] r = FakeNbdServer.request(in);
            final byte[] m = "medium error".getBytes(StandardCharsets.UTF_8);
            FakeNbdServer.chunk(out, 1, NbdProtocol.REPLY_TYPE_ERROR_BIT | 1, r[1], 6 + m.length);
            out.writeInt(5);
            out.writeShort(m.length);
            out.write(m);
            out.flush();
            r = FakeNbdServer.request(in);
            FakeNbdServer.chunk(out, 1, NbdProtocol.REPLY_TYPE_OFFSET_DATA, r[1], 8 + r[3]);
            out.writeLong(r[2]);
            out.write(filled((int) r[3], 0x42));
            out.flush();
            never.await();
        })) {
            final MemorySegment buffer = arena.allocate(512);
            final NbdServerException e = assertThrows(NbdServerException.class, () -> client.read(buffer, 512, 512));
            assertEquals("NBD server " + server.address() + " failed NBD_CMD_READ at offset 512 length 512: EIO"
                    + " (medium error)", e.getMessage());
            assertEquals(5, e.error());
            client.read(buffer, 1024, 512);
            assertEquals((byte) 0x42, buffer.get(ValueLayout.JAVA_BYTE, 511));
        }
    }

    @Test
    void shouldRejectBlockStatusWhenChunkClaimsTooManyExtents() throws Exception {
        try (NbdClient client = connect((in, out) -> {
            FakeNbdServer.handshake(in, out, SIZE);
            final long[] r = FakeNbdServer.request(in);
            FakeNbdServer.chunk(out, 1, NbdProtocol.REPLY_TYPE_BLOCK_STATUS, r[1], 0xFFFFFFF4L);
            out.flush();
            never.await();
        })) {
            final IOException e = assertThrows(IOException.class, () -> client.blockStatus(
                    client.contextId(NbdClient.BASE_ALLOCATION), 0, SIZE, (o, l, f) -> { }));
            assertTrue(e.getMessage().contains("BLOCK_STATUS chunk of 4294967284 bytes"), e.getMessage());
        }
    }

    @Test
    void shouldRejectExtentWhenItRunsPastTheExport() throws Exception {
        try (NbdClient client = connect((in, out) -> {
            FakeNbdServer.handshake(in, out, SIZE);
            final long[] r = FakeNbdServer.request(in);
            FakeNbdServer.chunk(out, 1, NbdProtocol.REPLY_TYPE_BLOCK_STATUS, r[1], 12);
            out.writeInt(1);
            out.writeInt((int) (SIZE * 2));
            out.writeInt(0);
            out.flush();
            never.await();
        })) {
            final IOException e = assertThrows(IOException.class, () -> client.blockStatus(
                    client.contextId(NbdClient.BASE_ALLOCATION), 0, SIZE, (o, l, f) -> { }));
            assertTrue(e.getMessage().contains("an extent of 2097152 bytes at 0"), e.getMessage());
        }
    }

    private static byte[] filled(final int n, final int value) {
        final byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }
}
