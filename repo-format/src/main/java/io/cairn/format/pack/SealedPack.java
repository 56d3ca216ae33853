package io.cairn.format.pack;

import java.nio.file.Path;

/**
 * A pack that has been sealed and synced in its temporary location, ready to be published.
 *
 * @param packIdHex   32 hex digits
 * @param tmpPath     where it was written
 * @param length      file length
 * @param recordCount records in it
 */
public record SealedPack(String packIdHex, Path tmpPath, long length, int recordCount) {
}
