package io.cairn.engine.source.nbd;

/**
 * Constants of the NBD protocol (https://github.com/NetworkBlockDevice/nbd/blob/master/doc/proto.md): magics,
 * options, option replies, commands and structured reply chunk types. All integers on the wire are big-endian.
 */
final class NbdProtocol {
    static final long NBDMAGIC = 0x4e42444d41474943L;
    static final long IHAVEOPT = 0x49484156454F5054L;
    static final long OPTION_REPLY_MAGIC = 0x0003e889045565a9L;
    static final int REQUEST_MAGIC = 0x25609513;
    static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;

    /** Handshake flags (server) and client flags. */
    static final int FLAG_FIXED_NEWSTYLE = 1;
    static final int FLAG_NO_ZEROES = 2;

    /** Options. */
    static final int OPT_ABORT = 2;
    static final int OPT_GO = 7;
    static final int OPT_STRUCTURED_REPLY = 8;
    static final int OPT_SET_META_CONTEXT = 10;

    /** Option reply types; errors have bit 31 set. */
    static final int REP_ACK = 1;
    static final int REP_INFO = 3;
    static final int REP_META_CONTEXT = 4;
    static final int REP_FLAG_ERROR = 0x80000000;

    /** Information types of NBD_OPT_GO. */
    static final short INFO_EXPORT = 0;
    static final short INFO_BLOCK_SIZE = 3;

    /** Transmission flags. */
    static final int TFLAG_HAS_FLAGS = 1;
    static final int TFLAG_READ_ONLY = 2;

    /** Commands. */
    static final short CMD_READ = 0;
    static final short CMD_DISC = 2;
    static final short CMD_BLOCK_STATUS = 7;

    /** Structured reply chunk flags and types; error types have bit 15 set. */
    static final int REPLY_FLAG_DONE = 1;
    static final int REPLY_TYPE_NONE = 0;
    static final int REPLY_TYPE_OFFSET_DATA = 1;
    static final int REPLY_TYPE_OFFSET_HOLE = 2;
    static final int REPLY_TYPE_BLOCK_STATUS = 5;
    static final int REPLY_TYPE_ERROR_BIT = 0x8000;
    static final int REPLY_TYPE_ERROR_OFFSET = 0x8002;

    /** base:allocation extent flags. */
    static final int STATE_HOLE = 1;
    static final int STATE_ZERO = 2;

    /** Fixed sizes on the wire. */
    static final int REQUEST_LENGTH = 28;
    static final int SIMPLE_REPLY_LENGTH = 16;
    static final int CHUNK_HEADER_LENGTH = 20;

    /** Bounds on what a server may send during option haggling and in chunk payloads we buffer. */
    static final int MAX_OPTION_REPLY_LENGTH = 64 * 1024;
    static final int MAX_ERROR_MESSAGE_LENGTH = 4096;

    private NbdProtocol() {
    }

    static String optionName(final int option) {
        return switch (option) {
            case OPT_GO -> "NBD_OPT_GO";
            case OPT_STRUCTURED_REPLY -> "NBD_OPT_STRUCTURED_REPLY";
            case OPT_SET_META_CONTEXT -> "NBD_OPT_SET_META_CONTEXT";
            default -> "option " + option;
        };
    }

    static String commandName(final int command) {
        return switch (command) {
            case CMD_READ -> "NBD_CMD_READ";
            case CMD_DISC -> "NBD_CMD_DISC";
            case CMD_BLOCK_STATUS -> "NBD_CMD_BLOCK_STATUS";
            default -> "command " + command;
        };
    }

    static String optionErrorName(final int type) {
        return switch (type & ~REP_FLAG_ERROR) {
            case 1 -> "NBD_REP_ERR_UNSUP";
            case 2 -> "NBD_REP_ERR_POLICY";
            case 3 -> "NBD_REP_ERR_INVALID";
            case 4 -> "NBD_REP_ERR_PLATFORM";
            case 5 -> "NBD_REP_ERR_TLS_REQD";
            case 6 -> "NBD_REP_ERR_UNKNOWN (no such export)";
            case 7 -> "NBD_REP_ERR_SHUTDOWN";
            case 8 -> "NBD_REP_ERR_BLOCK_SIZE_REQD";
            case 9 -> "NBD_REP_ERR_TOO_BIG";
            default -> String.format("option error 0x%08x", type);
        };
    }

    /** Linux errno names for the error values NBD defines. */
    static String errnoName(final int error) {
        return switch (error) {
            case 1 -> "EPERM";
            case 5 -> "EIO";
            case 12 -> "ENOMEM";
            case 22 -> "EINVAL";
            case 28 -> "ENOSPC";
            case 75 -> "EOVERFLOW";
            case 95 -> "ENOTSUP";
            case 108 -> "ESHUTDOWN";
            default -> "error " + error;
        };
    }
}
