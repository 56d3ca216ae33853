/**
 * Point-in-time copies of a source taken before a backup: {@link io.cairn.engine.snapshot.ReflinkSnapshot} clones an
 * image file with FICLONE (XFS with reflink, btrfs), optionally inside FIFREEZE/FITHAW of a file system in the
 * image.
 */
package io.cairn.engine.snapshot;
