package io.github.ossltickets.policy;

import io.github.ossltickets.ClientHelloCallback;
import io.github.ossltickets.ClientHelloDecision;
import io.github.ossltickets.ClientHelloInfo;
import io.github.ossltickets.Ssl;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketData;
import io.github.ossltickets.TicketDataException;
import io.github.ossltickets.TicketDecryptor;
import io.github.ossltickets.TicketGenerator;
import io.github.ossltickets.TicketReturn;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Binds each session ticket to where it was issued, so that a ticket key shared by several listeners
 * or hosts (a fleet's key ring) does not let a ticket issued at one resume at another: the attack of
 * h2o's advisory GHSA-5v5r-rghf-rm6q, which HAProxy and nginx fixed too.
 *
 * <p><b>At issue</b> (its {@link #generator}) it records, as {@link TicketData} fields beside your own
 * app data ({@code ot.user}): the listener id, the server name, the ALPN protocol chosen, the SHA-256
 * of the server certificate, the issue time (milliseconds) and the policy generation.
 *
 * <p><b>At resumption</b> (its {@link #decryptor}) a ticket whose recorded value differs in any
 * {@linkplain Builder#bind bound field}, whose age exceeds {@linkplain Builder#maxAge the maximum}, whose
 * generation differs, or whose app data is not the binding's, gets {@link TicketReturn#IGNORE_RENEW}:
 * a full handshake and a fresh ticket, counted by {@link Refusal reason} in {@link #stats()}. A ticket
 * that passes has your own app data put back on the session before your decryptor sees it, so your
 * callbacks read and write only their own bytes.
 *
 * <p><b>What is compared with what.</b> OpenSSL decrypts the ticket before it reads the server name
 * (on TLS 1.2 and 1.3 alike: {@link Ssl#serverName()} is empty in a decryptor), and before it chooses
 * the ALPN protocol. So the binding reads both from the ClientHello, through the
 * {@link ClientHelloCallback} that {@link #install} sets ({@link Ssl#clientHello()}):
 * <ul>
 * <li>{@link Field#SERVER_NAME}: the SNI host name of the new ClientHello equals the recorded one
 * (ignoring ASCII case; none equals none).</li>
 * <li>{@link Field#ALPN}: the protocol chosen at issue is among the protocols the new ClientHello
 * offers. The protocol the server will choose this time is not known yet; with a server that picks by
 * its own preference (as {@link SslContext.Builder#alpnProtocols} does) it can differ only if the
 * client offers both. A ticket issued without ALPN is not bound by it.</li>
 * <li>{@link Field#LISTENER}: the listener id: the handshake attribute {@link #LISTENER_ATTRIBUTE} if a
 * ClientHello callback set one (a tenant chosen by name), else the id given to the builder.</li>
 * <li>{@link Field#CERTIFICATE}: the SHA-256 of the certificate the connection presents
 * ({@link Ssl#certificateFingerprint()}); a ClientHello callback that switches contexts switches it.</li>
 * </ul>
 * With SERVER_NAME or ALPN bound and no ClientHello copy (the ClientHello callback was not installed on
 * the connection's initial context), every ticket is refused as {@link Refusal#NO_CLIENT_HELLO}.
 *
 * <p><b>Names are compared as bytes, ASCII case aside.</b> Server names and ALPN protocols are compared
 * after folding A-Z only ({@code KELVIN SIGN} is not {@code k}). A server name or protocol that was not
 * valid UTF-8 on the wire (decoded with U+FFFD in place of the bad bytes, so that distinct names would
 * look alike) never matches: the ticket is refused ({@link Refusal#SERVER_NAME}, {@link Refusal#ALPN}).
 *
 * <p><b>Time.</b> The issue time is recorded in milliseconds and is that of the ticket, so a renewed
 * ticket starts a new age. A ticket older than {@linkplain Builder#maxAge the maximum age} is
 * {@link Refusal#EXPIRED}; one issued more than {@linkplain Builder#maxClockSkew the clock skew} (1
 * minute by default) in the future, by a fleet member whose clock is ahead or before this clock was set
 * back, is {@link Refusal#FUTURE}, so that no clock error lengthens its life.
 *
 * <p><b>Only tickets reach the binding.</b> OpenSSL resumes a session from its server session cache
 * (a TLS 1.2 session ID, or a stateful TLS 1.3 ticket when {@code SSL_OP_NO_TICKET} is set) without
 * calling the decrypt callback. So {@link #install} turns that cache off, after which such sessions
 * (stateful TLS 1.3 tickets under {@code SSL_OP_NO_TICKET} included) resume nowhere; if you install
 * {@link #generator} and {@link #decryptor} yourself, turn it off yourself
 * ({@code serverSessionCache(false)} on the builder), or a client resumes past the binding.
 *
 * <p>Thread-safe.
 */
public final class TicketBinding {
    /** The handshake attribute ({@link Ssl#setHandshakeAttribute}) that overrides the listener id. */
    public static final String LISTENER_ATTRIBUTE = "ot.listener";

    /** The handshake attribute where the decryptor leaves its {@link Refusal}; see {@link #refusal(Ssl)}. */
    public static final String REFUSAL_ATTRIBUTE = "ot.refusal";

    static final String LISTENER = "ot.listener";
    static final String SERVER_NAME = "ot.sni";
    static final String ALPN = "ot.alpn";
    static final String CERTIFICATE = "ot.cert";
    static final String ISSUED = "ot.issued";
    static final String GENERATION = "ot.generation";
    static final String USER = "ot.user";

    /** What a ticket can be bound to. */
    public enum Field {
        /** The listener (or tenant) id. */
        LISTENER("listener"),
        /** The SNI host name. */
        SERVER_NAME("sni"),
        /** The ALPN protocol. */
        ALPN("alpn"),
        /** The server certificate's SHA-256. */
        CERTIFICATE("cert");

        private final String optionName;

        Field(String optionName) {
            this.optionName = optionName;
        }

        /** The short name used by {@code serve --bind-tickets}: listener, sni, alpn, cert. */
        public String optionName() {
            return optionName;
        }

        /**
         * The field for a short name (listener, sni, alpn, cert).
         *
         * @throws IllegalArgumentException naming the accepted names
         */
        public static Field fromOptionName(String name) {
            for (Field field : values()) {
                if (field.optionName.equals(name)) {
                    return field;
                }
            }
            throw new IllegalArgumentException("unknown ticket binding field '" + name + "': use listener, sni, alpn"
                    + " or cert");
        }
    }

    /** Why a ticket was refused (a full handshake instead). */
    public enum Refusal {
        /** Issued under another listener id. */
        LISTENER,
        /** Issued for another server name. */
        SERVER_NAME,
        /** Issued for an ALPN protocol the client no longer offers. */
        ALPN,
        /** Issued with another server certificate. */
        CERTIFICATE,
        /** Older than the maximum age. */
        EXPIRED,
        /** Issued later than now plus the allowed clock skew. */
        FUTURE,
        /** Issued under another policy generation. */
        GENERATION,
        /** App data that is not the binding's: malformed, or a ticket from before the binding. */
        UNBOUND,
        /** SERVER_NAME or ALPN bound, but no ClientHello callback copied the ClientHello. */
        NO_CLIENT_HELLO
    }

    /**
     * The counters at one moment.
     *
     * @param issued tickets the generator bound
     * @param accepted tickets that passed every check (your decryptor then decided)
     * @param refused tickets refused, by reason
     */
    public record Stats(long issued, long accepted, Map<Refusal, Long> refused) {
        /** Copies the map. */
        public Stats {
            refused = Collections.unmodifiableMap(new EnumMap<>(refused));
        }

        /** Refusals of every reason. */
        public long refusedTotal() {
            return refused.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final String listenerId;
    private final Set<Field> bound;
    /** In milliseconds, capped at Long.MAX_VALUE: a Duration of centuries (FOREVER) means no limit. */
    private final long maxAgeMillis;
    private final long maxClockSkewMillis;
    private final long generation;
    private final Clock clock;
    private final LongAdder issued = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder[] refused = new LongAdder[Refusal.values().length];

    private TicketBinding(Builder builder) {
        this.listenerId = builder.listenerId;
        this.bound = Collections.unmodifiableSet(EnumSet.copyOf(builder.bound));
        this.maxAgeMillis = saturatedMillis(builder.maxAge);
        this.maxClockSkewMillis = saturatedMillis(builder.maxClockSkew);
        this.generation = builder.generation;
        this.clock = builder.clock;
        for (int i = 0; i < refused.length; i++) {
            refused[i] = new LongAdder();
        }
    }

    /** A builder: every field bound, a maximum age of 24 hours, generation 0, listener id "default". */
    public static Builder builder() {
        return new Builder();
    }

    /** The fields this binding checks. */
    public Set<Field> boundFields() {
        return bound;
    }

    /** The counters now. */
    public Stats stats() {
        Map<Refusal, Long> byReason = new EnumMap<>(Refusal.class);
        for (Refusal reason : Refusal.values()) {
            byReason.put(reason, refused[reason.ordinal()].sum());
        }
        return new Stats(issued.sum(), accepted.sum(), byReason);
    }

    /**
     * Installs the binding on a server context with your callbacks inside it
     * ({@link SslContext#setTicketCallbacks} and {@link SslContext#setClientHelloCallback}), and turns
     * the context's server session cache off ({@link SslContext#setServerSessionCache}, that is
     * {@code SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF)}): a session resumed from that
     * cache (a TLS 1.2 session ID, or a stateful TLS 1.3 ticket) never reaches the decrypt callback, so
     * it would resume past every check here.
     *
     * <p>With {@code SSL_OP_NO_TICKET} set (Netty sets it on its contexts and clears it per connection),
     * TLS 1.3 tickets are stateful: session IDs that resume from that cache. With the cache off they
     * resume nowhere, so they cannot pass the binding either.
     *
     * @throws IllegalStateException for a client context ({@link SslContext#isClient()}; a borrowed
     *     context is taken to be a server's, as the adapters lend them)
     *
     * @param userGenerator yours, called first at issue (it sets your app data); null for none
     * @param userDecryptor yours, called for tickets that pass, and for EMPTY and NO_DECRYPT; null for
     *     OpenSSL's default decisions
     * @param userClientHello yours, called for every ClientHello; null for none
     */
    public void install(SslContext context, TicketGenerator userGenerator, TicketDecryptor userDecryptor,
            ClientHelloCallback userClientHello) {
        // A borrowed context (Tomcat's, Netty's) has no role we know: the adapters lend server contexts.
        if (context.isClient()) {
            throw new IllegalStateException("a TicketBinding is installed on a server context (SslContext.forServer(),"
                    + " or a server's borrowed one), not on a client one");
        }
        context.setServerSessionCache(false);
        context.setClientHelloCallback(clientHelloCallback(userClientHello));
        context.setTicketCallbacks(generator(userGenerator), decryptor(userDecryptor), TicketReturn.IGNORE_RENEW);
    }

    /** {@link #install(SslContext, TicketGenerator, TicketDecryptor, ClientHelloCallback)} with none of yours. */
    public void install(SslContext context) {
        install(context, null, null, null);
    }

    /**
     * The ClientHello callback to install on the connections' initial context: the bridge copies the
     * ClientHello for the decryptor before it calls this; it then calls {@code user} (null: proceed).
     */
    public ClientHelloCallback clientHelloCallback(ClientHelloCallback user) {
        return user != null ? user : (connection, hello) -> ClientHelloDecision.proceed();
    }

    /** The generator: {@code user} (null: none) sets your app data, then the binding wraps it with its fields. */
    public TicketGenerator generator(TicketGenerator user) {
        return (connection, session) -> {
            unwrapOwnFields(session);
            if (user != null && !user.onNewTicket(connection, session)) {
                return false;
            }
            Optional<ClientHelloInfo> hello = connection.clientHello();
            TicketData data = TicketData.empty()
                    .withLibraryField(LISTENER, utf8(listenerOf(connection)))
                    .withLibraryField(SERVER_NAME, utf8(normalized(hello.isPresent() ? hello.get().serverName()
                            : connection.serverName())))
                    .withLibraryField(ALPN, utf8(connection.alpnProtocol().orElse("")))
                    .withLibraryField(CERTIFICATE, connection.certificateFingerprint().orElse(new byte[0]))
                    .withLibraryField(ISSUED, bigEndian(clock.millis()))
                    .withLibraryField(GENERATION, bigEndian(generation));
            byte[] userData = session.ticketAppData();
            if (userData.length > 0) {
                data = data.withLibraryField(USER, userData);
            }
            data.storeIn(session);
            issued.increment();
            return true;
        };
    }

    /**
     * A session that already carries the binding's fields (the second TLS 1.3 ticket of a handshake
     * reuses the first one's session) gets the user's app data back before the user's generator runs.
     */
    private static void unwrapOwnFields(SslSession session) {
        byte[] current = session.ticketAppData();
        if (current.length == 0) {
            return;
        }
        try {
            TicketData data = TicketData.parse(current);
            if (data.names().contains(ISSUED) && data.names().contains(GENERATION)) {
                session.setTicketAppData(data.get(USER).orElse(new byte[0]));
            }
        } catch (TicketDataException usersOwnBytes) {
            // Not ours: the user's app data, as it should be.
        }
    }

    /** The decryptor: the checks above, then {@code user} (null: OpenSSL's default) for tickets that pass. */
    public TicketDecryptor decryptor(TicketDecryptor user) {
        TicketDecryptor delegate = user != null ? user
                : (connection, session, keyName, status) -> TicketReturn.defaultFor(status);
        return (connection, session, keyName, status) -> {
            // A TLS 1.3 client may offer several tickets, one decrypt call each: only the last call's
            // refusal (if any) describes the handshake, so an earlier one must not outlive its call.
            connection.setHandshakeAttribute(REFUSAL_ATTRIBUTE, null);
            if (session.isEmpty() || !status.isSuccess()) {
                return delegate.decide(connection, session, keyName, status);
            }
            Refusal refusal = check(connection, session.get());
            if (refusal != null) {
                refused[refusal.ordinal()].increment();
                connection.setHandshakeAttribute(REFUSAL_ATTRIBUTE, refusal);
                return TicketReturn.IGNORE_RENEW;
            }
            accepted.increment();
            return delegate.decide(connection, session, keyName, status);
        };
    }

    /** Why a binding refused a ticket in this connection's handshake; empty if none did. */
    public static Optional<Refusal> refusal(Ssl connection) {
        return connection.handshakeAttribute(REFUSAL_ATTRIBUTE) instanceof Refusal refusal
                ? Optional.of(refusal) : Optional.empty();
    }

    /** The first reason to refuse the ticket, or null; on null, the session carries the user's app data again. */
    private Refusal check(Ssl connection, SslSession session) {
        TicketData data;
        long issuedAt;
        long ticketGeneration;
        try {
            data = TicketData.readFrom(session);
            Optional<Long> at = data.getLong(ISSUED);
            Optional<Long> gen = data.getLong(GENERATION);
            if (at.isEmpty() || gen.isEmpty()) {
                return Refusal.UNBOUND;
            }
            issuedAt = at.get();
            ticketGeneration = gen.get();
        } catch (TicketDataException notOurs) {
            return Refusal.UNBOUND;
        }
        if (ticketGeneration != generation) {
            return Refusal.GENERATION;
        }
        long ageMillis = clock.millis() - issuedAt;
        if (ageMillis < -maxClockSkewMillis) {
            return Refusal.FUTURE;
        }
        if (ageMillis > maxAgeMillis) {
            return Refusal.EXPIRED;
        }
        if (bound.contains(Field.LISTENER) && !data.getString(LISTENER).orElse("").equals(listenerOf(connection))) {
            return Refusal.LISTENER;
        }
        if (bound.contains(Field.CERTIFICATE) && !Arrays.equals(data.get(CERTIFICATE).orElse(new byte[0]),
                connection.certificateFingerprint().orElse(new byte[0]))) {
            return Refusal.CERTIFICATE;
        }
        if (bound.contains(Field.SERVER_NAME) || bound.contains(Field.ALPN)) {
            Optional<ClientHelloInfo> hello = connection.clientHello();
            if (hello.isEmpty()) {
                return Refusal.NO_CLIENT_HELLO;
            }
            String serverName = data.getString(SERVER_NAME).orElse("");
            if (bound.contains(Field.SERVER_NAME) && (!comparable(serverName)
                    || !serverName.equals(normalized(hello.get().serverName())))) {
                return Refusal.SERVER_NAME;
            }
            String alpn = data.getString(ALPN).orElse("");
            if (bound.contains(Field.ALPN) && !alpn.isEmpty()
                    && (!comparable(alpn) || !hello.get().alpnOffers().contains(alpn))) {
                return Refusal.ALPN;
            }
        }
        session.setTicketAppData(data.get(USER).orElse(new byte[0]));
        return null;
    }

    /** {@link Duration#toMillis}, but Long.MAX_VALUE where that overflows (it throws for ChronoUnit.FOREVER). */
    private static long saturatedMillis(Duration duration) {
        return duration.compareTo(Duration.ofMillis(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : duration.toMillis();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** As {@link TicketData#getLong} reads it. */
    private static byte[] bigEndian(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    private String listenerOf(Ssl connection) {
        Object chosen = connection.handshakeAttribute(LISTENER_ATTRIBUTE);
        return chosen != null ? chosen.toString() : listenerId;
    }

    /**
     * The server name with A-Z folded to a-z and nothing else: {@code toLowerCase} would fold non-ASCII
     * letters too (KELVIN SIGN to k), making distinct names equal.
     */
    private static String normalized(Optional<String> serverName) {
        if (serverName.isEmpty()) {
            return "";
        }
        char[] chars = serverName.get().toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] >= 'A' && chars[i] <= 'Z') {
                chars[i] = (char) (chars[i] + ('a' - 'A'));
            }
        }
        return new String(chars);
    }

    /**
     * False for text holding U+FFFD: the ClientHello copy decodes names leniently, so bytes that were not
     * UTF-8 became U+FFFD and distinct names (FE.. and FF..) read alike; such a name matches nothing.
     */
    private static boolean comparable(String name) {
        return name.indexOf('\uFFFD') < 0;
    }

    /** Builds a {@link TicketBinding}. */
    public static final class Builder {
        private String listenerId = "default";
        private Set<Field> bound = EnumSet.allOf(Field.class);
        private Duration maxAge = Duration.ofHours(24);
        private Duration maxClockSkew = Duration.ofMinutes(1);
        private long generation;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** This listener's id (any text, such as "public-443"); default "default". */
        public Builder listenerId(String id) {
            this.listenerId = Objects.requireNonNull(id, "id");
            return this;
        }

        /** The fields to check at resumption (all by default); none still checks age and generation. */
        public Builder bind(Set<Field> fields) {
            this.bound = fields.isEmpty() ? EnumSet.noneOf(Field.class) : EnumSet.copyOf(fields);
            return this;
        }

        /** {@link #bind(Set)} of the given fields. */
        public Builder bind(Field... fields) {
            return bind(fields.length == 0 ? EnumSet.noneOf(Field.class) : EnumSet.copyOf(Arrays.asList(fields)));
        }

        /** The oldest ticket that may resume, by its issue time, to the millisecond; default 24 hours. */
        public Builder maxAge(Duration age) {
            if (age.isNegative()) {
                throw new IllegalArgumentException("maxAge cannot be negative: " + age);
            }
            this.maxAge = age;
            return this;
        }

        /**
         * How far in the future a ticket's issue time may be (a fleet member's clock ahead of this one)
         * before it is refused as {@link Refusal#FUTURE}; default 1 minute.
         */
        public Builder maxClockSkew(Duration skew) {
            if (skew.isNegative()) {
                throw new IllegalArgumentException("maxClockSkew cannot be negative: " + skew);
            }
            this.maxClockSkew = skew;
            return this;
        }

        /** The policy generation: raising it refuses every ticket issued under another one. Default 0. */
        public Builder generation(long value) {
            this.generation = value;
            return this;
        }

        /** The clock for issue times and ages (tests); default UTC system clock. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public TicketBinding build() {
            return new TicketBinding(this);
        }
    }
}
