package io.github.ossltickets.keys;

import io.github.ossltickets.Ssl;
import io.github.ossltickets.TicketKey;
import io.github.ossltickets.TicketKeyCallback;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A ready {@link TicketKeyCallback} over a {@link KeySet}: the active key seals every new ticket; a
 * ticket sealed under any other key of the set (next or previous) opens and is renewed, so the client
 * gets a ticket under the active key; a ticket under a name not in the set gets a full handshake. A
 * TLS 1.3 ticket is renewed under the active key too, as OpenSSL's built-in keys and nginx do: TLS 1.3
 * clients use a ticket once, and one that resumed without a new ticket has none for next time.
 *
 * <p>The handshake path takes no lock and allocates nothing but the protocol name it reads
 * ({@link Ssl#protocolVersion()}) when the active key opens a ticket: it reads one {@code volatile} snapshot,
 * built once per {@link #update}, that holds every answer ready-made. Names are compared in constant
 * time, and every key of the set is compared, so the time taken does not tell which bytes of a guessed
 * name matched. {@link #update} swaps the whole set at once: a handshake sees the old set or the new
 * one, never a mix.
 *
 * <p>Install it with {@link io.github.ossltickets.SslContext#setTicketKeyCallback(TicketKeyCallback)}.
 */
public final class TicketKeyRing implements TicketKeyCallback {
    private volatile Snapshot snapshot;

    private TicketKeyRing(KeySet keys) {
        this.snapshot = new Snapshot(keys);
    }

    /** A ring holding {@code keys}. */
    public static TicketKeyRing of(KeySet keys) {
        return new TicketKeyRing(Objects.requireNonNull(keys, "keys"));
    }

    /** Replaces the whole set at once; handshakes already running finish with the set they read. */
    public void update(KeySet keys) {
        snapshot = new Snapshot(Objects.requireNonNull(keys, "keys"));
    }

    /** The set in force now. */
    public KeySet keys() {
        return snapshot.keys;
    }

    @Override
    public Optional<TicketKey> keyForNewTicket(Ssl connection) {
        return snapshot.sealing;
    }

    @Override
    public Lookup findKey(Ssl connection, byte[] keyName) {
        Snapshot current = snapshot;
        int found = -1;
        for (int i = 0; i < current.names.length; i++) {
            // Every name is compared, whichever matches: no early exit.
            if (constantTimeEquals(current.names[i], keyName) & found < 0) {
                found = i;
            }
        }
        if (found < 0) {
            return Lookup.notFound();
        }
        if (found == 0 && connection != null && TLS_1_3.equals(connection.protocolVersion())) {
            return current.activeRenewed; // a TLS 1.3 client uses each ticket once: give it the next one
        }
        return current.lookups[found];
    }

    /** {@code SSL_get_version}'s name for TLS 1.3. */
    private static final String TLS_1_3 = "TLSv1.3";

    /** Equal arrays of the same length, in time that depends only on the lengths. */
    private static boolean constantTimeEquals(byte[] a, byte[] b) {
        if (a.length != b.length) {
            return false;
        }
        int difference = 0;
        for (int i = 0; i < a.length; i++) {
            difference |= a[i] ^ b[i];
        }
        return difference == 0;
    }

    @Override
    public String toString() {
        return "TicketKeyRing" + snapshot.keys;
    }

    /** Everything the handshake path needs, made once per update. */
    private static final class Snapshot {
        final KeySet keys;
        final Optional<TicketKey> sealing;
        /** Active first: most tickets carry its name. */
        final byte[][] names;
        /** The answer for each name: the active key opens as is, any other opens and renews. */
        final Lookup[] lookups;
        /** The active key's answer in TLS 1.3: open and renew. */
        final Lookup activeRenewed;

        Snapshot(KeySet keys) {
            this.keys = keys;
            this.sealing = Optional.of(keys.active());
            List<TicketKey> all = keys.all();
            this.names = new byte[all.size()][];
            this.lookups = new Lookup[all.size()];
            for (int i = 0; i < all.size(); i++) {
                TicketKey key = all.get(i);
                names[i] = key.name();
                lookups[i] = i == 0 ? Lookup.use(key) : Lookup.useAndRenew(key);
            }
            this.activeRenewed = Lookup.useAndRenew(keys.active());
        }
    }
}
