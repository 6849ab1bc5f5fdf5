package io.github.ossltickets;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One session-ticket key for a {@link TicketKeyCallback}: a 16-byte name written at the start of
 * each ticket, an HMAC-SHA256 key, and an AES-CBC key of 16 bytes (AES-128) or 32 bytes (AES-256).
 * OpenSSL's built-in keys are AES-256 with a 32-byte HMAC key. The arrays are copied in and out.
 */
public final class TicketKey {
    /** The length of a key name, {@code TLSEXT_KEYNAME_LENGTH}. */
    public static final int NAME_LENGTH = 16;

    private final byte[] name;
    private final byte[] hmacKey;
    private final byte[] aesKey;
    /** The name in hex, made once: what {@link KeyCounters} counts under without allocating per ticket. */
    final String statsName;

    public TicketKey(byte[] name, byte[] hmacKey, byte[] aesKey) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(hmacKey, "hmacKey");
        Objects.requireNonNull(aesKey, "aesKey");
        if (name.length != NAME_LENGTH) {
            throw new IllegalArgumentException("a ticket key name is 16 bytes, not " + name.length);
        }
        if (hmacKey.length < 16) {
            throw new IllegalArgumentException("an HMAC key needs at least 16 bytes, not " + hmacKey.length);
        }
        if (aesKey.length != 16 && aesKey.length != 32) {
            throw new IllegalArgumentException("an AES key is 16 (AES-128-CBC) or 32 (AES-256-CBC) bytes, not "
                    + aesKey.length);
        }
        this.name = name.clone();
        this.hmacKey = hmacKey.clone();
        this.aesKey = aesKey.clone();
        this.statsName = HexFormat.of().formatHex(name);
    }

    /** A fresh AES-256 key with random name, HMAC key and AES key. */
    public static TicketKey random() {
        SecureRandom random = new SecureRandom();
        byte[] name = new byte[NAME_LENGTH];
        byte[] hmac = new byte[32];
        byte[] aes = new byte[32];
        random.nextBytes(name);
        random.nextBytes(hmac);
        random.nextBytes(aes);
        return new TicketKey(name, hmac, aes);
    }

    public byte[] name() {
        return name.clone();
    }

    /** True if {@code candidate} equals this key's name; a time-constant compare. */
    public boolean hasName(byte[] candidate) {
        return java.security.MessageDigest.isEqual(name, candidate);
    }

    public byte[] hmacKey() {
        return hmacKey.clone();
    }

    public byte[] aesKey() {
        return aesKey.clone();
    }

    // Package-private views without copies, for the native callback.
    byte[] nameView() {
        return name;
    }

    byte[] hmacKeyView() {
        return hmacKey;
    }

    byte[] aesKeyView() {
        return aesKey;
    }

    @Override
    public String toString() {
        return "TicketKey[name=" + statsName + ", AES-" + aesKey.length * 8 + "-CBC]";
    }
}
