/**
 * Windows sources: a Hyper-V virtual disk read through Resilient Change Tracking ({@link
 * io.cairn.engine.source.windows.RctBlockSource}) and VSS snapshot sets ({@link
 * io.cairn.engine.source.windows.VssSnapshotSet}), written against small interfaces ({@link
 * io.cairn.engine.source.windows.VirtualDiskApi}, {@link io.cairn.engine.source.windows.VssApi}) whose real
 * implementations ({@link io.cairn.engine.source.windows.VirtDiskVirtualDiskApi}, {@link
 * io.cairn.engine.source.windows.ComVssApi}) call the FFM bindings in {@code io.cairn.nativeio.windows}.
 *
 * <p><b>None of this code has been run on Windows.</b> Its logic (paging over QueryChangesVirtualDisk, validation of
 * what Windows returns, merging of ranges across pages, sector-aligned reads, the VSS call order and clean-up on
 * failure) is tested on Linux against test doubles of the two interfaces; the real implementations are compiled
 * but unexercised, and on Linux they throw UnsupportedOperationException with the reason.
 *
 * <p>Not yet wired: no {@code cairn} command creates these sources, and the backup pipeline treats the unchanged
 * gaps that {@link io.cairn.engine.source.windows.RctBlockSource} reports as holes (zero blocks); see that class.
 * The WMI side (recovery checkpoint, reference points, windows-hyperv.md 1.6) is not implemented.
 */
package io.cairn.engine.source.windows;
