package io.github.ossltickets;

import java.util.Objects;
import java.util.function.LongFunction;

import static io.github.ossltickets.ffi.Raw.OPENSSL;

/**
 * A TLS session, {@code SSL_SESSION*}: either owned or lent.
 *
 * <ul>
 * <li>Owned, as returned by {@link Ssl#session()} ({@code SSL_get1_session}): this handle holds one
 * reference, released by {@link #close()} or, if you forget, by the garbage collector
 * ({@code SSL_SESSION_free}).</li>
 * <li>Lent, as passed to a {@link TicketGenerator} or {@link TicketDecryptor}: valid only until
 * that callback returns. Any use afterwards throws {@link IllegalStateException}, never touching
 * memory OpenSSL may have freed.</li>
 * </ul>
 *
 * <p>Safe to use from several threads: calls that read or replace the app data of one native session
 * take turns (OpenSSL itself does not lock them), and a {@link #close()} while another thread reads
 * waits for that read to end before the session is freed, and so does the end of a loan. OpenSSL's own
 * use of a session in a handshake is not serialized with yours: do not change the app data of a
 * session that a connection is handshaking with on another thread.
 */
public final class SslSession extends NativeHandle implements AutoCloseable {
    private static final byte[] NO_APP_DATA = new byte[0];
    private static final String LENT_ENDED = "this SslSession was lent to a ticket callback and is no longer valid:"
            + " OpenSSL may have freed it when the callback returned";

    private final boolean owned;
    /** For the generate bridge: the size of app data set through this handle, -1 if none (no native call to ask). */
    private volatile int appDataLengthSetHere = -1;

    private SslSession(NativeRef ref, boolean owned) {
        super(ref, owned);
        this.owned = owned;
    }

    /** Wraps a session whose reference the caller hands over (from a get1 function). */
    static SslSession owned(long address) {
        return new SslSession(NativeRef.owned(NativeRef.Kind.SESSION, address, ss -> OPENSSL.SSL_SESSION_free(ss),
                "SslSession is closed"), true);
    }

    /** Wraps a session OpenSSL lends to a callback; {@link #endLoan()} ends it. */
    static SslSession lent(long address) {
        return new SslSession(NativeRef.lent(address, LENT_ENDED, "ticket callback", false), false);
    }

    /**
     * The {@code SSL_SESSION*} address, for use with other bindings of the same libssl. Borrowed: valid
     * only while this handle is open (or, if lent, while its callback runs); take your own reference
     * ({@code SSL_SESSION_up_ref}) to keep it longer.
     */
    public long address() {
        return pointer();
    }

    /** True if this handle owns its reference, false if it is lent to a callback. */
    public boolean isOwned() {
        return owned;
    }

    /**
     * The ticket app data, read with {@code SSL_SESSION_get0_ticket_appdata} (borrowed pointer) and
     * copied at once into a new array. Empty when none is set; never null.
     */
    public byte[] ticketAppData() {
        return serialized(session -> {
            long[] data = new long[1];
            int length = ticketAppData(session, data);
            return length == 0 ? NO_APP_DATA.clone() : OPENSSL.bytes(data[0], length);
        });
    }

    /** The length of the app data last set through this handle, or -1 if none was: no native call. */
    int appDataLengthSetHere() {
        return appDataLengthSetHere;
    }

    /** {@code SSL_SESSION_get0_ticket_appdata}: stores the borrowed pointer in {@code data[0]}, returns the length. */
    private static int ticketAppData(long session, long[] data) {
        long[] length = new long[1];
        if (OPENSSL.SSL_SESSION_get0_ticket_appdata(session, data, length) != 1) {
            throw OpenSslException.fromErrorQueue("SSL_SESSION_get0_ticket_appdata failed");
        }
        return data[0] == 0 ? 0 : Math.toIntExact(length[0]);
    }

    /**
     * Sets the ticket app data with {@code SSL_SESSION_set1_ticket_appdata}, which copies it. An empty
     * array clears it. Any bytes are allowed, NUL included. OpenSSL issues no ticket for a session
     * whose encoding exceeds {@link TicketSizeLimits#MAX_ENCODED_SESSION}, which about 65 KB of app data reaches.
     */
    public void setTicketAppData(byte[] appData) {
        Objects.requireNonNull(appData, "appData (use an empty array to clear it)");
        int result = serialized(session -> OPENSSL.SSL_SESSION_set1_ticket_appdata(session,
                appData.length == 0 ? null : appData, appData.length));
        if (result != 1) {
            throw OpenSslException.fromErrorQueue("SSL_SESSION_set1_ticket_appdata(" + appData.length
                    + " bytes) failed");
        }
        appDataLengthSetHere = appData.length;
    }

    /**
     * An owned deep copy ({@code SSL_SESSION_dup}), app data included; close it when done. Change a
     * copy's app data without touching a session that connections may still use.
     */
    public SslSession copy() {
        StackHeadroom.ensureBeforeAnAllocation(); // nothing made yet if the stack is too short
        long copy = serialized(address -> OPENSSL.SSL_SESSION_dup(address));
        if (copy == 0) {
            throw OpenSslException.fromErrorQueue("SSL_SESSION_dup failed");
        }
        return owned(copy);
    }

    /**
     * The session ID, copied from {@code SSL_SESSION_get_id} (borrowed pointer); what an
     * {@code SSLSession.getId()} of Tomcat or Netty returns for the same session. Empty if none.
     */
    public byte[] id() {
        return ref.use(this, session -> {
            int[] length = new int[1];
            long id = OPENSSL.SSL_SESSION_get_id(session, length);
            return id == 0 || length[0] == 0 ? new byte[0] : OPENSSL.bytes(id, length[0]);
        });
    }

    /** {@code SSL_SESSION_is_resumable}. */
    public boolean isResumable() {
        return ref.use(this, session -> OPENSSL.SSL_SESSION_is_resumable(session) == 1);
    }

    /** {@code SSL_SESSION_get_protocol_version}. */
    public TlsVersion protocolVersion() {
        return TlsVersion.fromCode(ref.use(this, address -> OPENSSL.SSL_SESSION_get_protocol_version(address)));
    }

    /** The size of this session's DER encoding, {@code i2d_SSL_SESSION(ss, NULL)}. */
    public int encodedLength() {
        return serialized(session -> OPENSSL.i2d_SSL_SESSION(session, 0));
    }

    /**
     * OpenSSL's {@code SSL_SESSION} has no lock: {@code set1_ticket_appdata} frees the old data while
     * {@code get0}, {@code SSL_SESSION_dup} or {@code i2d} on another thread may be reading it. Every
     * call that reads or replaces the app data takes the lock of its native session (one of a fixed
     * set, chosen by address: two handles of one session share it).
     */
    private <T> T serialized(LongFunction<T> call) {
        return ref.use(this, session -> {
            synchronized (APP_DATA_LOCKS[(int) (session >>> 4) & (APP_DATA_LOCKS.length - 1)]) {
                return call.apply(session);
            }
        });
    }

    private static final Object[] APP_DATA_LOCKS = newLocks(64);

    private static Object[] newLocks(int count) {
        Object[] locks = new Object[count];
        for (int i = 0; i < count; i++) {
            locks[i] = new Object();
        }
        return locks;
    }

    /** The pointer, valid until {@code call} returns; for {@link Ssl#setSession}. */
    <T> T use(LongFunction<T> call) {
        return ref.use(this, call);
    }

    /**
     * Releases an owned session ({@code SSL_SESSION_free}) once no thread uses it; ends a lent one's use.
     * Idempotent.
     */
    @Override
    public void close() {
        closeHandle();
    }

    /**
     * For logs: "{@code SslSession[owned|lent, open 0x…|closed]}", the {@code SSL_SESSION*} in hex while
     * open. Neither the session's secrets nor its app data.
     */
    @Override
    public String toString() {
        return ref.describe("SslSession", null);
    }
}
