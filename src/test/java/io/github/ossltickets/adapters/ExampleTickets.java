package io.github.ossltickets.adapters;

import io.github.ossltickets.SslContext;
import io.github.ossltickets.TicketReturn;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ticket callbacks of the example servers (Tomcat, Netty, Spring Boot, Reactor Netty, Vert.x), and
 * what they report. Each ticket carries {@code cert=LABEL;sni=NAME;seq=N;policy=P}: the context that
 * issued it, the name the client asked for, a number, and the policy in force. A ticket of an older
 * policy ({@link #advancePolicy}) is stale: the decryptor answers {@code IGNORE_RENEW}, a full handshake
 * and a fresh ticket. The decryptor remembers, by session ID, what it read back, so that a request on the
 * resumed connection can show it: the servers give a request its session ID, never the {@code SSL*}.
 */
public final class ExampleTickets {
    private final AtomicLong generated = new AtomicLong();
    private final AtomicLong decrypted = new AtomicLong();
    private final AtomicLong contexts = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final String appDataPrefix;
    private final AtomicLong policy = new AtomicLong(1);
    private final AtomicLong staleIgnored = new AtomicLong();
    /** A ticket issued to a client that asked for this server name makes the decryptor throw. */
    public static final String THROWS_FOR = "throw.example";
    private final Map<String, String> appDataBySession = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > 10_000; // an example server: bounded, never a leak
        }
    };

    /** serve's session-ID context: OpenSSL's default, empty, as serve sets none. Tomcat's is "default", Netty's "netty". */
    public static final byte[] SERVE_SESSION_ID_CONTEXT = new byte[0];
    /** What serve (generation 1) requires at the start of a ticket's app data to resume it. */
    public static final String SERVE_APP_DATA_PREFIX = "generation=1;";

    /** The ring of an nginx key file shared with serve ({@code --ticket-keys FILE}), or null without one. */
    public static io.github.ossltickets.keys.TicketKeyRing ring(java.nio.file.Path keyFile) throws java.io.IOException {
        return keyFile == null ? null : io.github.ossltickets.keys.TicketKeyRing.of(io.github.ossltickets.keys.TicketKeyFiles
                .load(java.util.List.of(keyFile), io.github.ossltickets.keys.TicketKeyFormat.NGINX));
    }

    /**
     * Installs the callbacks on one context and, with a {@code ring}, joins it to serve's fleet: the
     * ring as its ticket key callback and serve's session-ID context, without which OpenSSL decrypts
     * the other's tickets and still does a full handshake.
     */
    public void install(SslContext context, String label, io.github.ossltickets.keys.TicketKeyRing ring) {
        install(context, label);
        if (ring != null) {
            context.setTicketKeyCallback(ring);
            context.setSessionIdContext(SERVE_SESSION_ID_CONTEXT);
        }
    }

    public ExampleTickets() {
        this("");
    }

    /**
     * Tickets whose app data starts with {@code appDataPrefix}: in a fleet with {@code serve}, the
     * {@code generation=1;} that serve's policy requires of the tickets it resumes.
     */
    public ExampleTickets(String appDataPrefix) {
        this.appDataPrefix = appDataPrefix;
    }

    /** Installs the callbacks on one context; {@code label} names it in the tickets it issues. */
    public void install(SslContext context, String label) {
        contexts.incrementAndGet();
        context.setCallbackFailureListener(failure -> failures.incrementAndGet());
        context.setTicketCallbacks((connection, session) -> {
            if (connection.isSessionReused()) {
                // TLS 1.3 renews a resumed session under a new ID, still carrying the app data read
                // from the client's ticket: the request will come with the new ID.
                remember(session.id(), session.ticketAppData());
            }
            String appData = appDataPrefix + "cert=" + label + ";sni=" + connection.serverName().orElse("none")
                    + ";seq=" + sequence.incrementAndGet() + ";policy=" + policy.get();
            session.setTicketAppData(appData.getBytes(StandardCharsets.UTF_8));
            generated.incrementAndGet();
            return true;
        }, (connection, session, keyName, status) -> {
            // OpenSSL reads the ticket before the server name: the name is in the ticket's app data.
            if (session.isPresent() && new String(session.get().ticketAppData(), StandardCharsets.UTF_8)
                    .contains(";sni=" + THROWS_FOR + ";")) {
                throw new IllegalStateException("the decryptor fails for tickets issued to " + THROWS_FOR);
            }
            // Only this class's own tickets carry a policy; serve's, in a shared-key fleet, do not.
            String data = session.map(decrypted -> new String(decrypted.ticketAppData(), StandardCharsets.UTF_8)).orElse("");
            int stamp = data.lastIndexOf(";policy=");
            if (stamp >= 0 && !data.substring(stamp).equals(";policy=" + policy.get())) {
                staleIgnored.incrementAndGet();
                return TicketReturn.IGNORE_RENEW; // a full handshake, and a ticket under today's policy
            }
            session.ifPresent(decrypted -> {
                this.decrypted.incrementAndGet();
                remember(decrypted.id(), decrypted.ticketAppData());
            });
            return TicketReturn.defaultFor(status);
        });
    }

    private void remember(byte[] sessionId, byte[] appData) {
        synchronized (appDataBySession) {
            appDataBySession.put(HexFormat.of().formatHex(sessionId), new String(appData, StandardCharsets.UTF_8));
        }
    }

    /** Makes every ticket issued so far stale; returns the new policy. */
    public long advancePolicy() {
        return policy.incrementAndGet();
    }

    /** The response body for a request on the connection whose session has this ID. */
    public String report(String server, String protocol, byte[] sessionId) {
        String appData;
        synchronized (appDataBySession) {
            appData = appDataBySession.getOrDefault(HexFormat.of().formatHex(sessionId), "none");
        }
        return "server: " + server + "\n"
                + "protocol: " + protocol + "\n"
                + "ticket-appdata: " + appData + "\n"
                + "tickets-generated: " + generated.get() + "\n"
                + "decrypts: " + decrypted.get() + "\n"
                + "contexts: " + contexts.get() + "\n"
                + "callback-failures: " + failures.get() + "\n"
                + "policy: " + policy.get() + "\n"
                + "stale-ignored: " + staleIgnored.get() + "\n";
    }
}
