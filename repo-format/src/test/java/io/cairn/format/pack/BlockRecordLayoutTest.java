package io.cairn.format.pack;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** BlockRecordLayout against the table of FORMAT.md 4.2 (numbers copied from the table). */
class BlockRecordLayoutTest {
    @Test
    void shouldMatchFormatTableWhenRecordHeaderOffsetsRead() {
        assertEquals(40, BlockRecordLayout.HEADER_LENGTH);
        assertEquals(0, BlockRecordLayout.MAGIC_OFFSET);
        assertEquals(4, BlockRecordLayout.CODEC_OFFSET);
        assertEquals(5, BlockRecordLayout.FLAGS_OFFSET);
        assertEquals(6, BlockRecordLayout.RESERVED_OFFSET);
        assertEquals(8, BlockRecordLayout.RAW_LENGTH_OFFSET);
        assertEquals(12, BlockRecordLayout.STORED_LENGTH_OFFSET);
        assertEquals(16, BlockRecordLayout.ID_OFFSET);
        assertEquals(32, BlockRecordLayout.DATA_CRC_OFFSET);
        assertEquals(36, BlockRecordLayout.HEADER_CRC_OFFSET);
    }

    @Test
    void shouldSpellCrecInFileOrderWhenMagicWrittenLittleEndian() {
        assertEquals(0x43455243, BlockRecordLayout.MAGIC);
        final byte[] b = new byte[4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(BlockRecordLayout.MAGIC);
        assertEquals("CREC", new String(b, StandardCharsets.US_ASCII));
    }

    @Test
    void shouldNumberCodecsAsSpecWhenCodecNamed() {
        assertEquals(0, BlockRecordLayout.CODEC_RAW);
        assertEquals(1, BlockRecordLayout.CODEC_ZSTD);
        assertEquals("raw", BlockRecordLayout.codecName(0));
        assertEquals("zstd", BlockRecordLayout.codecName(1));
        assertEquals("codec-9", BlockRecordLayout.codecName(9));
    }
}
