package io.github.ossltickets;

import io.github.ossltickets.ffi.SslMacros;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.Objects;

import static io.github.ossltickets.ffi.Raw.OPENSSL;

/**
 * The network end of an in-memory BIO pair whose other end a connection reads and writes
 * ({@link Ssl#attachNetworkBio(int)}): what the connection sends waits here for the transport, and what
 * the transport receives is handed in here. This is how a socket, or anything else, carries TLS, the
 * way {@code SSLEngine}'s wrap and unwrap do.
 *
 * <p>This handle owns its BIO ({@code BIO_free} on {@link #close()} or collection); the connection
 * owns the other end. Use it on the thread that drives the connection.
 */
public final class NetworkBio extends NativeHandle implements AutoCloseable {
    /**
     * The connection whose end of the pair this one is. Each keeps the other reachable, so that they are
     * collected together and the one Cleaner thread frees them in turn, never one beside a use of the other.
     */
    @SuppressWarnings("unused")
    private final Ssl connection;

    NetworkBio(long bio, Ssl connection) {
        super(NativeRef.owned(NativeRef.Kind.NETWORK_BIO, bio, NetworkBio::free, "NetworkBio is closed"), true);
        this.connection = connection;
    }

    private static void free(long bio) {
        OPENSSL.BIO_free(bio);
    }

    /** Bytes the connection wrote that wait to be sent ({@code BIO_ctrl_pending}). */
    public int pending() {
        return Math.toIntExact(ref.use(this, address -> OPENSSL.BIO_ctrl_pending(address)));
    }

    /**
     * Takes up to {@code buffer.length} bytes that wait to be sent into the start of {@code buffer}
     * ({@code BIO_read}); returns how many, 0 when none wait.
     */
    public int read(byte[] buffer) {
        Objects.requireNonNull(buffer, "buffer");
        int read = ref.use(this, bio -> OPENSSL.BIO_read(bio, buffer, buffer.length));
        return Math.max(read, 0);
    }

    /**
     * Takes bytes that wait to be sent into {@code buffer}, a direct buffer, from its position up to its
     * limit ({@code BIO_read} straight into the buffer's memory: unlike {@link #read(byte[])}, nothing is
     * copied through the JVM); advances the position and returns how many, 0 when none wait.
     *
     * @throws IllegalArgumentException if {@code buffer} is not direct, or is read-only
     * @throws IllegalStateException if the buffer's memory was freed (its {@code Arena} is closed)
     */
    public int read(ByteBuffer buffer) {
        requireDirect(buffer);
        if (buffer.isReadOnly()) {
            // BIO_read would write through the address: into a read-only mapped file, a crash (SIGSEGV).
            throw new IllegalArgumentException("NetworkBio.read needs a writable buffer; got a read-only " + buffer);
        }
        int position = buffer.position();
        int length = buffer.remaining();
        if (length == 0) {
            return 0;
        }
        int read = ref.use(this, bio -> OPENSSL.BIO_read(bio, buffer, position, length));
        Reference.reachabilityFence(buffer);
        if (read <= 0) {
            return 0;
        }
        buffer.position(position + read);
        return read;
    }

    /**
     * Hands the bytes of {@code buffer}, a direct buffer, from its position up to its limit, received
     * from the peer, to the connection ({@code BIO_write}, which copies them), and advances the position
     * to the limit. At most {@link #room()} bytes; more are refused whole with
     * {@link IllegalArgumentException}, as by {@link #write(byte[], int)}.
     *
     * @throws IllegalArgumentException if {@code buffer} is not direct, or holds more than {@link #room()}
     * @throws IllegalStateException if the buffer's memory was freed (its {@code Arena} is closed)
     */
    public void write(ByteBuffer buffer) {
        requireDirect(buffer);
        int position = buffer.position();
        int length = buffer.remaining();
        if (length == 0) {
            return;
        }
        int written = ref.use(this, bio -> {
            requireRoom(bio, length);
            return OPENSSL.BIO_write(bio, buffer, position, length);
        });
        Reference.reachabilityFence(buffer);
        requireWritten(written, length);
        buffer.position(position + length);
    }

    private static void requireDirect(ByteBuffer buffer) {
        Objects.requireNonNull(buffer, "buffer");
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("NetworkBio reads and writes ByteBuffers only if they are direct;"
                    + " use the byte[] methods for heap memory");
        }
    }

    /** How many received bytes {@link #write} takes in full now ({@code BIO_ctrl_get_write_guarantee}). */
    public int room() {
        return Math.toIntExact(ref.use(this, address -> OPENSSL.BIO_ctrl_get_write_guarantee(address)));
    }

    /**
     * Hands the first {@code length} bytes of {@code data}, received from the peer, to the connection
     * ({@code BIO_write}, which copies them). At most {@link #room()} bytes; more are refused whole with
     * {@link IllegalArgumentException}.
     */
    public void write(byte[] data, int length) {
        Objects.requireNonNull(data, "data");
        if (length < 0 || length > data.length) {
            throw new IllegalArgumentException("length " + length + " is outside the array of " + data.length);
        }
        if (length == 0) {
            return;
        }
        int written = ref.use(this, bio -> {
            requireRoom(bio, length);
            return OPENSSL.BIO_write(bio, data, length);
        });
        requireWritten(written, length);
    }

    /** Checked before writing: a BIO pair would take part and leave the rest unsaid. */
    private static void requireRoom(long bio, int length) {
        long room = OPENSSL.BIO_ctrl_get_write_guarantee(bio);
        if (length > room) {
            throw new IllegalArgumentException(length + " bytes do not fit: room() is " + room
                    + (room == 0 ? " (also when the connection's end of the pair was freed: Ssl closed)" : ""));
        }
    }

    private static void requireWritten(int written, int length) {
        if (written != length) {
            throw OpenSslException.fromErrorQueue("BIO_write took " + written + " of " + length + " bytes"
                    + (written < 0 ? "; the connection's end of this BIO pair is gone if its Ssl was closed" : ""));
        }
    }

    /** The peer closed its side: the connection reads end of file after what was written ({@code BIO_shutdown_wr}). */
    public void endOfInput() {
        ref.perform(this, SslMacros::BIO_shutdown_wr);
    }

    /** Frees this end ({@code BIO_free}); the connection then sees an uninitialised BIO. Idempotent. */
    @Override
    public void close() {
        closeHandle();
    }

    /** For logs: "{@code NetworkBio[owned, open 0x…|closed]}", the {@code BIO*} in hex while open. */
    @Override
    public String toString() {
        return ref.describe("NetworkBio", null);
    }
}
