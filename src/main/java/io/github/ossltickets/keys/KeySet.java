package io.github.ossltickets.keys;

import io.github.ossltickets.TicketKey;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The ticket keys in force at one moment: the active key seals new tickets, and every key opens the
 * tickets it sealed. Immutable.
 *
 * @param active the key that seals new tickets (and opens them)
 * @param next keys published ahead of their turn: they only open tickets until they become active, so
 *     that a server that switched early does not issue tickets the others cannot open
 * @param previous keys that sealed before: they only open, until they expire
 */
public record KeySet(TicketKey active, List<TicketKey> next, List<TicketKey> previous) {

    /**
     * @throws IllegalArgumentException if two keys share a name: a ticket names the key that sealed it,
     *     so a name must say which key opens it
     */
    public KeySet {
        Objects.requireNonNull(active, "active");
        next = List.copyOf(next);
        previous = List.copyOf(previous);
        Set<String> names = new HashSet<>();
        for (TicketKey key : all(active, next, previous)) {
            String name = HexFormat.of().formatHex(key.name());
            if (!names.add(name)) {
                throw new IllegalArgumentException("two ticket keys share the name " + name
                        + "; each key needs its own name");
            }
        }
    }

    /** One key that seals and opens, with nothing else. */
    public static KeySet of(TicketKey active) {
        return new KeySet(active, List.of(), List.of());
    }

    /** Every key: the active one first, then the next ones, then the previous ones. */
    public List<TicketKey> all() {
        return all(active, next, previous);
    }

    private static List<TicketKey> all(TicketKey active, List<TicketKey> next, List<TicketKey> previous) {
        List<TicketKey> all = new ArrayList<>(1 + next.size() + previous.size());
        all.add(active);
        all.addAll(next);
        all.addAll(previous);
        return all;
    }

    /** Names and roles only; never key material. */
    @Override
    public String toString() {
        return "KeySet[active=" + active + ", next=" + next + ", previous=" + previous + "]";
    }
}
