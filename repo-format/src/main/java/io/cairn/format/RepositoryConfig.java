package io.cairn.format;

import java.time.Instant;

/**
 * The repository's config file (FORMAT.md section 3.2), as a value.
 *
 * @param version          format version
 * @param repositoryId     32 lowercase hex digits
 * @param created          creation time
 * @param blockSize        bytes per block, power of two in [64 KiB, 8 MiB]
 * @param blockIdAlgorithm {@code xxh3-128} in v1
 * @param compression      {@code zstd} or {@code none}
 * @param compressionLevel zstd level (ignored for none)
 * @param packSize         target pack length in bytes
 */
public record RepositoryConfig(int version, String repositoryId, Instant created, int blockSize,
                               String blockIdAlgorithm, String compression, int compressionLevel, long packSize) {
    public static final int CURRENT_VERSION = 1;
    public static final int MIN_BLOCK_SIZE = 64 * 1024;
    public static final int MAX_BLOCK_SIZE = 8 * 1024 * 1024;
    public static final int DEFAULT_BLOCK_SIZE = 1024 * 1024;
    public static final long DEFAULT_PACK_SIZE = 64L * 1024 * 1024;
    public static final long MIN_PACK_SIZE = 1024L * 1024;
    public static final long MAX_PACK_SIZE = 1024L * 1024 * 1024;
    public static final String XXH3_128 = "xxh3-128";

    public RepositoryConfig {
        if (!isValidBlockSize(blockSize)) {
            throw new IllegalArgumentException("block size " + blockSize
                    + " is not a power of two from 64 KiB to 8 MiB");
        }
        if (!compression.equals("zstd") && !compression.equals("none")) {
            throw new IllegalArgumentException("unknown compression '" + compression + "' (use zstd:N or none)");
        }
        if (compression.equals("zstd") && (compressionLevel < -7 || compressionLevel > 22)) {
            throw new IllegalArgumentException("zstd level " + compressionLevel + " is outside [-7, 22]");
        }
        if (packSize < MIN_PACK_SIZE || packSize > MAX_PACK_SIZE) {
            throw new IllegalArgumentException("pack size " + packSize + " is outside [1 MiB, 1 GiB]");
        }
        if (!XXH3_128.equals(blockIdAlgorithm)) {
            throw new IllegalArgumentException("unknown block id algorithm '" + blockIdAlgorithm + "'");
        }
    }

    /** A new version-1 config with a fresh repository id. */
    public static RepositoryConfig create(final int blockSize, final String compression, final int level) {
        return new RepositoryConfig(CURRENT_VERSION, Hex.of(Ids.random128()), Instant.now().truncatedTo(
                java.time.temporal.ChronoUnit.SECONDS), blockSize, XXH3_128, compression, level, DEFAULT_PACK_SIZE);
    }

    public static boolean isValidBlockSize(final long size) {
        return size >= MIN_BLOCK_SIZE && size <= MAX_BLOCK_SIZE && Long.bitCount(size) == 1;
    }

    /** {@code zstd:N} or {@code none}. */
    public String compressionSpec() {
        return compression.equals("none") ? "none" : compression + ":" + compressionLevel;
    }

    public byte[] repositoryIdBytes() {
        return Hex.parse(repositoryId, 16);
    }
}
