package io.cairn.nativeio;

/**
 * Byte layouts and constants of the io_uring ABI (include/uapi/linux/io_uring.h), x86-64 values.
 *
 * <pre>
 * struct io_uring_params (120 bytes)          struct io_sqring_offsets (at 40)   struct io_cqring_offsets (at 80)
 *   0 u32 sq_entries    20 u32 features          0 head     16 flags                0 head     16 overflow
 *   4 u32 cq_entries    24 u32 wq_fd             4 tail     20 dropped              4 tail     20 cqes
 *   8 u32 flags         28 u32 resv[3]           8 ring_mask 24 array               8 ring_mask 24 flags
 *  12 u32 sq_thread_cpu 40 sq_off (40 bytes)    12 ring_entries 28 resv1, 32 u64   12 ring_entries 28 resv1, 32 u64
 *  16 u32 sq_thread_idle 80 cq_off (40 bytes)
 *
 * struct io_uring_sqe (64 bytes)                          struct io_uring_cqe (16 bytes)
 *   0 u8 opcode  1 u8 flags  2 u16 ioprio  4 s32 fd         0 u64 user_data
 *   8 u64 off   16 u64 addr  24 u32 len    28 u32 rw_flags  8 s32 res
 *  32 u64 user_data  40 u16 buf_index  42 u16 personality  12 u32 flags
 *  44 s32 splice_fd_in  48 u64 addr3  56 u64 pad
 *
 * struct io_uring_probe (16 bytes + 8 per op)   struct io_uring_probe_op (8 bytes)
 *   0 u8 last_op  1 u8 ops_len  2 u16 resv         0 u8 op  1 u8 resv  2 u16 flags (1 = supported)  4 u32 resv2
 *   4 u32 resv2[3]  16 ops[]
 * </pre>
 * A wrong offset here makes every IoUringTest read fail or compare unequal.
 */
final class IoUringLayout {
    // syscall numbers, x86-64 (arch/x86/entry/syscalls/syscall_64.tbl)
    static final long SYS_IO_URING_SETUP = 425;
    static final long SYS_IO_URING_ENTER = 426;
    static final long SYS_IO_URING_REGISTER = 427;

    // struct io_uring_params
    static final long PARAMS_SIZE = 120;
    static final long PARAMS_SQ_ENTRIES = 0;
    static final long PARAMS_CQ_ENTRIES = 4;
    static final long PARAMS_FEATURES = 20;
    static final long PARAMS_SQ_OFF = 40;
    static final long PARAMS_CQ_OFF = 80;

    // struct io_sqring_offsets, relative to PARAMS_SQ_OFF
    static final long SQ_OFF_HEAD = 0;
    static final long SQ_OFF_TAIL = 4;
    static final long SQ_OFF_RING_MASK = 8;
    static final long SQ_OFF_ARRAY = 24;

    // struct io_cqring_offsets, relative to PARAMS_CQ_OFF
    static final long CQ_OFF_HEAD = 0;
    static final long CQ_OFF_TAIL = 4;
    static final long CQ_OFF_RING_MASK = 8;
    static final long CQ_OFF_OVERFLOW = 16;
    static final long CQ_OFF_CQES = 20;

    // struct io_uring_sqe
    static final long SQE_SIZE = 64;
    static final long SQE_OPCODE = 0;
    static final long SQE_FLAGS = 1;
    static final long SQE_IOPRIO = 2;
    static final long SQE_FD = 4;
    static final long SQE_OFF = 8;
    static final long SQE_ADDR = 16;
    static final long SQE_LEN = 24;
    static final long SQE_RW_FLAGS = 28;
    static final long SQE_USER_DATA = 32;
    /** buf_index, personality, splice_fd_in, addr3, pad: zeroed as one block for every read. */
    static final long SQE_TAIL_FROM = 40;

    // struct io_uring_cqe
    static final long CQE_SIZE = 16;
    static final long CQE_USER_DATA = 0;
    static final long CQE_RES = 8;

    // struct io_uring_probe
    static final long PROBE_HEADER_SIZE = 16;
    static final long PROBE_LAST_OP = 0;
    static final long PROBE_OPS_LEN = 1;
    static final long PROBE_OP_SIZE = 8;
    static final long PROBE_OP_FLAGS = 2;
    static final int IO_URING_OP_SUPPORTED = 1;

    // opcodes, flags and mmap offsets
    static final byte IORING_OP_READ = 22;
    static final int IORING_ENTER_GETEVENTS = 1;
    static final int IORING_FEAT_SINGLE_MMAP = 1;
    static final int IORING_REGISTER_PROBE = 8;
    static final long IORING_OFF_SQ_RING = 0;
    static final long IORING_OFF_CQ_RING = 0x8000000L;
    static final long IORING_OFF_SQES = 0x10000000L;

    // mmap(2)
    static final int PROT_READ_WRITE = 0x1 | 0x2;
    static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;
    static final long MAP_FAILED = -1;

    /** Largest ring the kernel accepts (IORING_MAX_ENTRIES). */
    static final int MAX_ENTRIES = 32768;

    private IoUringLayout() {
    }
}
