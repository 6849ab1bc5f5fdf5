package io.github.ossltickets.ffi.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A per-thread native buffer for the calls that cannot take a Java array in place (those that may
 * call back: SSL_read, SSL_write), of one TLS record's size, never grown. A nested use on the same
 * thread (a callback that reads another connection), a larger request (a big SSL_write) and every use
 * on a virtual thread (thousands of them would each keep one) get memory of their own, freed when the
 * call is done.
 */
final class Scratch {
    private Scratch() {}

    /** The largest plaintext of one record (16,384 bytes), and room to spare. */
    static final int SHARED_SIZE = 16 * 1024 + 512;

    static final class Buffer {
        final MemorySegment segment = Arena.ofAuto().allocate(SHARED_SIZE);
        boolean inUse;
    }

    private static final ThreadLocal<Buffer> BUFFERS = ThreadLocal.withInitial(Buffer::new);

    /** A native buffer of at least {@code size} bytes, until {@link Lease#close()}. */
    static Lease lease(int size) {
        if (size > SHARED_SIZE || Thread.currentThread().isVirtual()) {
            return own(size);
        }
        Buffer buffer = BUFFERS.get();
        if (buffer.inUse) {
            return own(size);
        }
        buffer.inUse = true;
        return new Lease(buffer.segment, buffer, null);
    }

    private static Lease own(int size) {
        Arena own = Arena.ofConfined();
        return new Lease(own.allocate(Math.max(size, 1)), null, own);
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
