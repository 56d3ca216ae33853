package io.cairn.format;

import io.cairn.format.point.Manifest;

import java.nio.file.Path;

/**
 * A restore point as listed: where it is and its manifest (the block map is not loaded).
 *
 * @param id          restore point id (UUIDv7)
 * @param disk        disk name
 * @param path        the point file
 * @param virtualSize disk bytes
 * @param blockCount  blocks in the map
 * @param manifest    the manifest
 */
public record PointInfo(String id, String disk, Path path, long virtualSize, long blockCount, Manifest manifest) {
}
