package io.github.ossltickets.bench;

import io.github.ossltickets.SelfSignedCertificate;
import io.github.ossltickets.Ssl;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketReturn;
import io.github.ossltickets.TlsVersion;
import io.github.ossltickets.net.InMemoryConnection;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Handshakes per second through the binding, on one thread, in memory: the Java twin of
 * native/resume_bench.c, step for step (a P-256 certificate, the server cache off, one ticket per
 * handshake, the same callbacks and the same handshake loop). Workload (a) is {@code variant=callbacks},
 * (b) {@code variant=none}. Run by scripts/bench, never by the tests.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HandshakeBench {
    static final byte[] APP_DATA = "user=alice;policy=v1".getBytes(StandardCharsets.US_ASCII);

    @Param({"TLSv1.2", "TLSv1.3"})
    public String protocol;
    @Param({"resumed", "full"})
    public String mode;
    @Param({"callbacks", "none"})
    public String variant;

    private SslContext server;
    private SslContext client;
    private SslSession session;

    @Setup(Level.Trial)
    public void setUp() {
        TlsVersion version = protocol.equals("TLSv1.2") ? TlsVersion.TLS1_2 : TlsVersion.TLS1_3;
        SelfSignedCertificate certificate = SelfSignedCertificate.generate("localhost");
        server = SslContext.forServer().certificate(certificate.certificatePem(), certificate.privateKeyPem())
                .protocol(version).serverSessionCache(false).numTickets(1).build();
        client = SslContext.forClient().protocol(version).build();
        if (variant.equals("callbacks")) {
            server.setTicketCallbacks((ssl, ticketSession) -> {
                ticketSession.setTicketAppData(APP_DATA);
                return true;
            }, (ssl, ticketSession, keyName, status) -> {
                if (ticketSession.isPresent() && ticketSession.get().ticketAppData().length != APP_DATA.length) {
                    return TicketReturn.ABORT;
                }
                return TicketReturn.defaultFor(status);
            });
        }
        session = connect(server, client, null);
    }

    @Benchmark
    public boolean handshake() {
        if (mode.equals("full")) {
            connect(server, client, null).close();
            return true;
        }
        SslSession next = connect(server, client, session);
        session.close(); // TLS 1.3 tickets are single-use: resume with the newest
        session = next;
        return true;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
        server.close();
        client.close();
    }

    /** One connection, as native/common.h does it; returns the client's session. */
    static SslSession connect(SslContext server, SslContext client, SslSession offered) {
        Ssl clientSide = client.newSsl();
        if (offered != null) {
            clientSide.setSession(offered);
        }
        try (InMemoryConnection connection = InMemoryConnection.join(server.newSsl(), clientSide)) {
            connection.handshake();
            if (offered != null && !clientSide.isSessionReused()) {
                throw new IllegalStateException("resumption failed");
            }
            return clientSide.session().orElseThrow();
        }
    }
}
