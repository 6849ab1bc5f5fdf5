package io.github.ossltickets;

import java.util.Optional;

/**
 * Chooses the keys that seal and open session tickets: the Java side of
 * {@code SSL_CTX_set_tlsext_ticket_key_evp_cb}, installed with
 * {@link SslContext#setTicketKeyCallback(TicketKeyCallback)}. The binding generates the IV, sets up
 * AES-CBC with {@code EVP_CipherInit_ex} and HMAC-SHA256 with {@code EVP_MAC_init}.
 *
 * <p>An exception, or a null return, makes the callback return -1, which OpenSSL treats as a fatal
 * error; the handshake's {@link OpenSslException} has the exception as its cause.
 *
 * <p>Threads, re-entry and lifetime: the
 * <a href="package-summary.html#callback-rules">rules for every callback</a>.
 */
public interface TicketKeyCallback {
    /**
     * The key to seal a new ticket with ({@code enc == 1}).
     *
     * @return the key, or empty to send no ticket (the C callback returns 0)
     */
    Optional<TicketKey> keyForNewTicket(Ssl connection);

    /**
     * Finds the key that sealed a ticket ({@code enc == 0}), by the 16-byte name at its start.
     *
     * @param keyName the name, a new array for each call: the callback may keep it
     */
    Lookup findKey(Ssl connection, byte[] keyName);

    /** The answer of {@link #findKey}: use the key, use it and renew the ticket, or not found. */
    final class Lookup {
        private static final Lookup NOT_FOUND = new Lookup(null, false);
        private final TicketKey key;
        private final boolean renew;

        private Lookup(TicketKey key, boolean renew) {
            this.key = key;
            this.renew = renew;
        }

        /** Decrypt with {@code key}; the C callback returns 1 and the status becomes SUCCESS. */
        public static Lookup use(TicketKey key) {
            return new Lookup(java.util.Objects.requireNonNull(key, "key"), false);
        }

        /** Decrypt with {@code key} and ask for a new ticket; the C callback returns 2 (SUCCESS_RENEW). */
        public static Lookup useAndRenew(TicketKey key) {
            return new Lookup(java.util.Objects.requireNonNull(key, "key"), true);
        }

        /** No such key; the C callback returns 0 and the status becomes NO_DECRYPT. */
        public static Lookup notFound() {
            return NOT_FOUND;
        }

        /** The key to decrypt with, or empty for {@link #notFound()}. */
        public Optional<TicketKey> key() {
            return Optional.ofNullable(key);
        }

        public boolean renew() {
            return renew;
        }

        /** The key, or null for not found: what the key bridge reads without an {@link Optional} per ticket. */
        TicketKey keyOrNull() {
            return key;
        }
    }
}
