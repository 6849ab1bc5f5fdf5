package io.github.ossltickets.ffi.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A per-thread native buffer for the calls that cannot take a Java array in place (those that may
 * call back: SSL_read, SSL_write). A nested use on the same thread (a callback that reads another
 * connection) gets a buffer of its own, freed when it is done.
 */
final class Scratch {
    private Scratch() {}

    private static final int INITIAL = 16 * 1024 + 512;

    static final class Buffer {
        MemorySegment segment = Arena.ofAuto().allocate(INITIAL);
        boolean inUse;
    }

    private static final ThreadLocal<Buffer> BUFFERS = ThreadLocal.withInitial(Buffer::new);

    /** A native buffer of at least {@code size} bytes, until {@link Lease#close()}. */
    static Lease lease(int size) {
        Buffer buffer = BUFFERS.get();
        if (buffer.inUse) {
            Arena own = Arena.ofConfined();
            return new Lease(own.allocate(Math.max(size, 1)), null, own);
        }
        if (buffer.segment.byteSize() < size) {
            buffer.segment = Arena.ofAuto().allocate(size); // the old one is freed when collected
        }
        buffer.inUse = true;
        return new Lease(buffer.segment, buffer, null);
    }

    record Lease(MemorySegment segment, Buffer shared, Arena own) implements AutoCloseable {
        @Override
        public void close() {
            if (shared != null) {
                shared.inUse = false;
            } else {
                own.close();
            }
        }
    }
}
