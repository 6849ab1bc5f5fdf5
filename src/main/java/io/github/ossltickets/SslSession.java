package io.github.ossltickets;

import com.sun.jna.Pointer;
import io.github.ossltickets.ffi.LibSsl;

import java.lang.ref.Cleaner;
import java.util.Objects;

/**
 * A TLS session, {@code SSL_SESSION*}: either owned or borrowed.
 *
 * <ul>
 * <li>Owned, as returned by {@link Ssl#session()} ({@code SSL_get1_session}): this handle holds one
 * reference, released by {@link #close()} or, if you forget, by the garbage collector
 * ({@code SSL_SESSION_free}).</li>
 * <li>Borrowed, as passed to a {@link TicketGenerator} or {@link TicketDecryptor}: valid only until
 * that callback returns. Any use afterwards throws {@link IllegalStateException}, never touching
 * memory OpenSSL may have freed.</li>
 * </ul>
 *
 * <p>Not thread-safe for {@link #close()} against concurrent use, like the C object it wraps.
 */
public final class SslSession implements AutoCloseable {
    private static final byte[] NO_APP_DATA = new byte[0];

    private final State state;
    private final Cleaner.Cleanable cleanable; // null when borrowed

    private SslSession(long address, boolean owned) {
        this.state = new State(address, owned);
        this.cleanable = owned ? Handles.CLEANER.register(this, state) : null;
    }

    /** Wraps a session whose reference the caller hands over (from a get1 function). */
    static SslSession owned(long address) {
        return new SslSession(address, true);
    }

    /** Wraps a session borrowed for the duration of a callback; see {@link #invalidate()}. */
    static SslSession borrowed(long address) {
        return new SslSession(address, false);
    }

    /** Ends a borrowed handle's validity; called when the callback that received it returns. */
    void invalidate() {
        state.address = 0;
    }

    /** The {@code SSL_SESSION*} address, for use with other bindings of the same libssl. */
    public long address() {
        return live();
    }

    /** True if this handle owns its reference, false if it is borrowed from a callback. */
    public boolean isOwned() {
        return state.owned;
    }

    /**
     * The ticket app data, read with {@code SSL_SESSION_get0_ticket_appdata} (borrowed pointer) and
     * copied at once into a new array. Empty when none is set; never null.
     */
    public byte[] ticketAppData() {
        long[] data = new long[1];
        int length = ticketAppData(data);
        return length == 0 ? NO_APP_DATA.clone() : new Pointer(data[0]).getByteArray(0, length);
    }

    /** The app data's length, without copying it. */
    int ticketAppDataLength() {
        return ticketAppData(new long[1]);
    }

    /** {@code SSL_SESSION_get0_ticket_appdata}: stores the borrowed pointer in {@code data[0]}, returns the length. */
    private int ticketAppData(long[] data) {
        long[] length = new long[1];
        if (LibSsl.SSL_SESSION_get0_ticket_appdata(live(), data, length) != 1) {
            throw OpenSslException.fromErrorQueue("SSL_SESSION_get0_ticket_appdata failed");
        }
        return data[0] == 0 ? 0 : Math.toIntExact(length[0]);
    }

    /**
     * Sets the ticket app data with {@code SSL_SESSION_set1_ticket_appdata}, which copies it. An empty
     * array clears it. Any bytes are allowed, NUL included. OpenSSL issues no ticket for a session
     * whose encoding exceeds 65,280 bytes, which about 65 KB of app data reaches.
     */
    public void setTicketAppData(byte[] appData) {
        Objects.requireNonNull(appData, "appData (use an empty array to clear it)");
        long session = live();
        if (LibSsl.SSL_SESSION_set1_ticket_appdata(session, appData.length == 0 ? null : appData,
                appData.length) != 1) {
            throw OpenSslException.fromErrorQueue("SSL_SESSION_set1_ticket_appdata(" + appData.length
                    + " bytes) failed");
        }
    }

    /** {@code SSL_SESSION_is_resumable}. */
    public boolean isResumable() {
        return LibSsl.SSL_SESSION_is_resumable(live()) == 1;
    }

    /** {@code SSL_SESSION_get_protocol_version}. */
    public TlsVersion protocolVersion() {
        int code = LibSsl.SSL_SESSION_get_protocol_version(live());
        for (TlsVersion version : TlsVersion.values()) {
            if (version.code() == code) {
                return version;
            }
        }
        throw new IllegalStateException(String.format("session protocol 0x%x has no session tickets", code));
    }

    /** The size of this session's DER encoding, {@code i2d_SSL_SESSION(ss, NULL)}. */
    public int encodedLength() {
        return LibSsl.i2d_SSL_SESSION(live(), null);
    }

    /** Releases an owned session ({@code SSL_SESSION_free}); ends a borrowed one's use. Idempotent. */
    @Override
    public void close() {
        if (cleanable != null) {
            cleanable.clean();
        } else {
            invalidate();
        }
    }

    private long live() {
        long address = state.address;
        if (address == 0) {
            throw new IllegalStateException(state.owned ? "SslSession is closed"
                    : "this SslSession was borrowed by a ticket callback and is no longer valid:"
                    + " OpenSSL may have freed it when the callback returned");
        }
        return address;
    }

    /** The native reference; never refers to the SslSession, so the Cleaner can run. */
    private static final class State implements Runnable {
        volatile long address;
        final boolean owned;

        State(long address, boolean owned) {
            this.address = address;
            this.owned = owned;
        }

        @Override
        public void run() {
            long session = address;
            address = 0;
            if (session != 0 && owned) {
                LibSsl.SSL_SESSION_free(session);
            }
        }
    }
}
