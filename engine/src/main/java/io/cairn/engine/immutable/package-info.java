/**
 * The immutable attribute behind {@code cairn immutable} (FORMAT.md section 12): the Linux inode flag
 * implementation of repo-format's {@link io.cairn.format.immutable.ImmutableAttribute}.
 */
package io.cairn.engine.immutable;
