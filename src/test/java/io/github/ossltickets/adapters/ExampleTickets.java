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
            String appData = "cert=" + label + ";sni=" + connection.serverName().orElse("none")
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
            if (session.isPresent() && !new String(session.get().ticketAppData(), StandardCharsets.UTF_8)
                    .endsWith(";policy=" + policy.get())) {
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
