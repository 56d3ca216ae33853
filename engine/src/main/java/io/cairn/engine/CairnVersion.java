package io.cairn.engine;

/** The version written into manifests and printed by {@code cairn --version}. */
public final class CairnVersion {
    public static final String VERSION = "0.1.0";

    private CairnVersion() {
    }
}
