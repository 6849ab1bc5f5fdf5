package io.github.ossltickets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Structured, versioned ticket app data: named fields, like Go's {@code SessionState.Extra}, so that
 * the library's fields (a {@link io.github.ossltickets.policy.TicketBinding}'s, say) and your own
 * payload travel side by side in {@code SSL_SESSION_set1_ticket_appdata}. Immutable.
 *
 * <h2>Wire format, version 1</h2>
 * <pre>
 * magic          2 bytes   0x4F 0x54 ("OT")
 * format version 1 byte    1
 * field count    2 bytes   big-endian, 0 to 65535
 * field count times:
 *   name length  1 byte    1 to 255
 *   name         UTF-8     unique within the data
 *   value length 4 bytes   big-endian, at most what remains
 *   value        bytes
 * </pre>
 * Nothing may follow the last field. Names beginning with {@code "ot."} are the library's; any other
 * name is yours.
 *
 * <h2>Rolling upgrades</h2>
 * A newer version of your code (or of the library) adds fields; an older one reading its tickets keeps
 * the fields it does not know, and writes them back when it re-encodes ({@link #with}), so a ticket
 * renewed by an old server still carries them to the next new one. A change of the layout itself
 * would bump the format version; readers refuse a version they do not know ({@link TicketDataException}),
 * which, through {@link #decryptor}, is a full handshake, never a failure.
 *
 * <h2>Malformed input</h2>
 * {@link #parse} checks every length against what remains and throws {@link TicketDataException}
 * saying what is wrong and where; it never reads past the input nor allocates more than its length.
 * A decryptor must turn that into a full handshake ({@link TicketReturn#IGNORE_RENEW}), as
 * {@link #decryptor} does: ticket app data is only as trustworthy as the ticket key, and a ticket from
 * before the format, or from another application sharing the key, is not an attack on the server.
 *
 * <h2>Size</h2>
 * OpenSSL sends no ticket for a session whose encoding exceeds {@link #MAX_ENCODED_SESSION} bytes, and
 * fails the handshake with a bare internal_error. {@link #storeIn} checks the session's size with the
 * data in place and throws a {@link TicketDataException} naming both figures first.
 */
public final class TicketData {
    /** The most bytes OpenSSL puts in a ticket: the i2d encoding of the session, app data included ({@link TicketSizeLimits}). */
    public static final int MAX_ENCODED_SESSION = TicketSizeLimits.MAX_ENCODED_SESSION;
    /** The layout this class writes and reads. */
    public static final int FORMAT_VERSION = 1;
    /** The prefix of the library's own field names. */
    public static final String LIBRARY_PREFIX = "ot.";

    private static final byte MAGIC_0 = 0x4F;
    private static final byte MAGIC_1 = 0x54;
    private static final int HEADER = 5;
    private static final TicketData EMPTY = new TicketData(new LinkedHashMap<>());

    private final Map<String, byte[]> fields; // insertion order, kept on re-encode

    private TicketData(LinkedHashMap<String, byte[]> fields) {
        this.fields = fields;
    }

    /** Data with no fields. */
    public static TicketData empty() {
        return EMPTY;
    }

    /** A copy with field {@code name} set to {@code value} (copied), replacing the field if present. */
    public TicketData with(String name, byte[] value) {
        checkName(name);
        Objects.requireNonNull(value, "value");
        LinkedHashMap<String, byte[]> copy = new LinkedHashMap<>(fields);
        copy.put(name, value.clone());
        return new TicketData(copy);
    }

    /** {@link #with(String, byte[])} with the UTF-8 bytes of {@code value}. */
    public TicketData with(String name, String value) {
        return with(name, Objects.requireNonNull(value, "value").getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #with(String, byte[])} with {@code value} as 8 big-endian bytes. */
    public TicketData with(String name, long value) {
        return with(name, ByteBuffer.allocate(Long.BYTES).putLong(value).array());
    }

    /** A copy without field {@code name}. */
    public TicketData without(String name) {
        LinkedHashMap<String, byte[]> copy = new LinkedHashMap<>(fields);
        copy.remove(name);
        return new TicketData(copy);
    }

    /** The value of field {@code name}, copied; empty if absent. */
    public Optional<byte[]> get(String name) {
        byte[] value = fields.get(name);
        return value == null ? Optional.empty() : Optional.of(value.clone());
    }

    /** The value of field {@code name} as UTF-8 text; empty if absent. */
    public Optional<String> getString(String name) {
        byte[] value = fields.get(name);
        return value == null ? Optional.empty() : Optional.of(new String(value, StandardCharsets.UTF_8));
    }

    /**
     * The value of field {@code name} as a big-endian long; empty if absent.
     *
     * @throws TicketDataException if the field is not 8 bytes long
     */
    public Optional<Long> getLong(String name) {
        byte[] value = fields.get(name);
        if (value == null) {
            return Optional.empty();
        }
        if (value.length != Long.BYTES) {
            throw new TicketDataException("field '" + name + "' holds " + value.length + " bytes, not the 8 of a long");
        }
        return Optional.of(ByteBuffer.wrap(value).getLong());
    }

    /** The field names, in order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(fields.keySet());
    }

    /** The size of {@link #encode()}. */
    public int encodedLength() {
        long length = HEADER;
        for (Map.Entry<String, byte[]> field : fields.entrySet()) {
            length += 1 + utf8(field.getKey()).length + 4 + field.getValue().length;
        }
        return (int) Math.min(length, Integer.MAX_VALUE);
    }

    /**
     * The wire format described above.
     *
     * @throws TicketDataException if it would exceed {@link #MAX_ENCODED_SESSION} bytes (no ticket could
     *     carry it) or have more than 65535 fields
     */
    public byte[] encode() {
        int length = encodedLength();
        if (length > MAX_ENCODED_SESSION) {
            throw new TicketDataException("ticket data of " + length + " bytes exceeds the " + MAX_ENCODED_SESSION
                    + " bytes OpenSSL puts in a ticket (the whole session, app data included); fields: "
                    + fields.keySet());
        }
        if (fields.size() > 0xFFFF) {
            throw new TicketDataException("ticket data holds at most 65535 fields, not " + fields.size());
        }
        ByteBuffer out = ByteBuffer.allocate(length);
        out.put(MAGIC_0).put(MAGIC_1).put((byte) FORMAT_VERSION).putShort((short) fields.size());
        for (Map.Entry<String, byte[]> field : fields.entrySet()) {
            byte[] name = utf8(field.getKey());
            out.put((byte) name.length).put(name).putInt(field.getValue().length).put(field.getValue());
        }
        return out.array();
    }

    /**
     * Reads the wire format.
     *
     * @throws TicketDataException saying what is malformed and at which offset: not this format (no
     *     magic: app data of another kind, or none), an unknown format version, a length past the end,
     *     a duplicate or empty name, bytes after the last field
     */
    public static TicketData parse(byte[] encoded) {
        Objects.requireNonNull(encoded, "encoded");
        if (encoded.length < HEADER || encoded[0] != MAGIC_0 || encoded[1] != MAGIC_1) {
            throw new TicketDataException("not ticket data: " + (encoded.length < HEADER ? encoded.length
                    + " bytes, shorter than the " + HEADER + "-byte header" : "no 'OT' magic at the start"));
        }
        int version = encoded[2] & 0xff;
        if (version != FORMAT_VERSION) {
            throw new TicketDataException("ticket data format version " + version + " is unknown here (this"
                    + " reader knows version " + FORMAT_VERSION + ")");
        }
        ByteBuffer in = ByteBuffer.wrap(encoded, 3, encoded.length - 3);
        int count = in.getShort() & 0xffff;
        LinkedHashMap<String, byte[]> fields = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            int at = in.position();
            if (in.remaining() < 1) {
                throw new TicketDataException("ticket data ends at byte " + at + " before field " + (i + 1) + " of "
                        + count);
            }
            int nameLength = in.get() & 0xff;
            if (nameLength == 0 || in.remaining() < nameLength + 4) {
                throw new TicketDataException("field " + (i + 1) + " at byte " + at + ": name of " + nameLength
                        + " bytes " + (nameLength == 0 ? "(names are 1 to 255 bytes)" : "runs past the end"));
            }
            byte[] name = new byte[nameLength];
            in.get(name);
            long valueLength = in.getInt() & 0xffffffffL;
            String key = new String(name, StandardCharsets.UTF_8);
            if (valueLength > in.remaining()) {
                throw new TicketDataException("field '" + key + "' at byte " + at + " declares " + valueLength
                        + " bytes, but " + in.remaining() + " remain");
            }
            byte[] value = new byte[(int) valueLength];
            in.get(value);
            if (fields.put(key, value) != null) {
                throw new TicketDataException("field '" + key + "' appears twice (the second at byte " + at + ")");
            }
        }
        if (in.hasRemaining()) {
            throw new TicketDataException(in.remaining() + " bytes follow the last of " + count + " fields");
        }
        return new TicketData(fields);
    }

    /** The session's app data parsed ({@link SslSession#ticketAppData()}); an empty one reads as {@link #empty()}. */
    public static TicketData readFrom(SslSession session) {
        byte[] appData = session.ticketAppData();
        return appData.length == 0 ? EMPTY : parse(appData);
    }

    /**
     * Stores the encoding as the session's ticket app data ({@code SSL_SESSION_set1_ticket_appdata}),
     * then checks that the session still fits in a ticket ({@code i2d_SSL_SESSION} at most
     * {@link #MAX_ENCODED_SESSION} bytes), so that a too-large payload fails here with the figures
     * rather than in OpenSSL with a bare internal_error.
     *
     * @throws TicketDataException if the data or the session with it is too large; the session's app
     *     data is then cleared
     */
    public void storeIn(SslSession session) {
        byte[] encoded = encode();
        session.setTicketAppData(encoded);
        int sessionLength = session.encodedLength();
        if (sessionLength > MAX_ENCODED_SESSION) {
            session.setTicketAppData(new byte[0]);
            throw new TicketDataException("ticket data of " + encoded.length + " bytes makes the session encode to "
                    + sessionLength + " bytes, over the " + MAX_ENCODED_SESSION + " bytes OpenSSL puts in a ticket"
                    + " (the certificate, server name and ALPN count too); fields: " + fields.keySet());
        }
    }

    /** What a {@link #decryptor} delegates to, once the ticket decrypted and its data parsed. */
    @FunctionalInterface
    public interface DataDecryptor {
        /**
         * @param connection the server connection
         * @param session the decrypted session, lent as in {@link TicketDecryptor}
         * @param data its parsed app data
         * @param status SUCCESS or SUCCESS_RENEW
         * @return the decision, as from a {@link TicketDecryptor}
         */
        TicketReturn decide(Ssl connection, SslSession session, TicketData data, TicketStatus status);
    }

    /**
     * A {@link TicketDecryptor} that parses the app data of each decrypted ticket and hands it to
     * {@code decider}; a ticket whose data does not parse gets {@link TicketReturn#IGNORE_RENEW} (a full
     * handshake and a fresh ticket), and the others OpenSSL's default.
     */
    public static TicketDecryptor decryptor(DataDecryptor decider) {
        Objects.requireNonNull(decider, "decider");
        return (connection, session, keyName, status) -> {
            if (session.isEmpty() || !status.isSuccess()) {
                return TicketReturn.defaultFor(status);
            }
            TicketData data;
            try {
                data = readFrom(session.get());
            } catch (TicketDataException malformed) {
                return TicketReturn.IGNORE_RENEW;
            }
            return decider.decide(connection, session.get(), data, status);
        };
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        int length = utf8(name).length;
        if (length == 0 || length > 255) {
            throw new IllegalArgumentException("a field name is 1 to 255 UTF-8 bytes, not " + length);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof TicketData that) || !fields.keySet().equals(that.fields.keySet())) {
            return false;
        }
        for (Map.Entry<String, byte[]> field : fields.entrySet()) {
            if (!java.util.Arrays.equals(field.getValue(), that.fields.get(field.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return fields.keySet().hashCode();
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("TicketData{");
        fields.forEach((name, value) -> text.append(text.length() > 11 ? ", " : "").append(name).append('=')
                .append(value.length).append(" bytes"));
        return text.append('}').toString();
    }
}
