package io.cairn.engine.compact;

/** What compact does with one sealed pack (FORMAT.md section 10). */
enum PackFate {
    /** Left as it is: every record is live, or its garbage is below the threshold. */
    KEEP,
    /** Its live records are copied into new packs, then it is deleted. */
    REWRITE,
    /** It holds no live record (or only copies of records kept elsewhere): deleted without copying. */
    DELETE,
    /** It fails its checks: never read for copying, never deleted (kept for repair). */
    DAMAGED
}
