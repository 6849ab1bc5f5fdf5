package io.github.ossltickets;

import io.github.ossltickets.ffi.LibCrypto;
import io.github.ossltickets.ffi.LibSsl;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static io.github.ossltickets.ffi.Raw.OPENSSL;

/**
 * What one connection's callbacks share during its handshake: what the ClientHello said, and the
 * attributes a {@link ClientHelloCallback} (or any other callback) set for later ones. It hangs off
 * the native {@code SSL} (an ex_data slot holding an id), not off a Java handle, because a handshake
 * another library drives lends each callback a fresh {@link Ssl} wrapper: keyed by the native object,
 * all of them see one state. OpenSSL's free callback drops it when it frees the {@code SSL}.
 *
 * <p>The ex_data index, and with it one upcall per {@code SSL_free}, exists only once some connection
 * has stored state (the first ClientHello callback or attribute): plain ticket servers pay nothing.
 */
final class HandshakeState {
    private static final Map<Long, HandshakeState> LIVE = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    private static volatile int exIndex = -1;

    volatile ClientHelloInfo clientHello;
    final Map<String, Object> attributes = new ConcurrentHashMap<>();

    private HandshakeState() {}

    /** The state of the native connection {@code ssl}, made on first use if {@code create}; else null. */
    static HandshakeState of(long ssl, boolean create) {
        int index = exIndex;
        if (index < 0) {
            if (!create) {
                return null;
            }
            index = exIndex();
        }
        long id = OPENSSL.SSL_get_ex_data(ssl, index);
        HandshakeState state = id == 0 ? null : LIVE.get(id);
        if (state != null || !create) {
            return state;
        }
        return create(ssl, index);
    }

    /** Under a lock: a callback and another thread setting an attribute must not make two states. */
    private static synchronized HandshakeState create(long ssl, int index) {
        long id = OPENSSL.SSL_get_ex_data(ssl, index);
        HandshakeState state = id == 0 ? null : LIVE.get(id);
        if (state != null) {
            return state;
        }
        long fresh = IDS.incrementAndGet();
        state = new HandshakeState();
        LIVE.put(fresh, state);
        if (OPENSSL.SSL_set_ex_data(ssl, index, fresh) != 1) {
            LIVE.remove(fresh);
            throw OpenSslException.fromErrorQueue("SSL_set_ex_data failed");
        }
        return state;
    }

    private static synchronized int exIndex() {
        if (exIndex < 0) {
            int index = OPENSSL.CRYPTO_get_ex_new_index(LibCrypto.CRYPTO_EX_INDEX_SSL, 0, 0, 0, 0,
                    NativeCallbacks.CONNECTION_FREED);
            if (index < 0) {
                throw OpenSslException.fromErrorQueue("CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL) failed");
            }
            exIndex = index;
        }
        return exIndex;
    }

    Optional<ClientHelloInfo> clientHello() {
        return Optional.ofNullable(clientHello);
    }

    /** How many connections carry state now, for leak checks. */
    static int live() {
        return LIVE.size();
    }

    /**
     * What {@link NativeCallbacks#CONNECTION_FREED} does: OpenSSL frees a connection (any in the
     * process); most carry no id of ours ({@code ptr}, its ex_data).
     */
    static void connectionFreed(long ptr) {
        if (ptr != 0) {
            LIVE.remove(ptr);
        }
    }
}
