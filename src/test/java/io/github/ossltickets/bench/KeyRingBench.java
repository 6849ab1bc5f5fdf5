package io.github.ossltickets.bench;

import io.github.ossltickets.SelfSignedCertificate;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketKey;
import io.github.ossltickets.TlsVersion;
import io.github.ossltickets.keys.KeySet;
import io.github.ossltickets.keys.TicketKeyRing;
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

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Resumed handshakes per second with a three-key {@link TicketKeyRing} installed ({@code variant=ring}:
 * every ticket sealed and opened through the EVP key callback) against the same workload with OpenSSL's
 * built-in keys ({@code variant=none}). Run by {@code scripts/bench --keys}, never by the tests.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class KeyRingBench {
    @Param({"TLSv1.2", "TLSv1.3"})
    public String protocol;
    @Param({"ring", "none"})
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
        if (variant.equals("ring")) {
            server.setTicketKeyCallback(TicketKeyRing.of(new KeySet(TicketKey.random(), List.of(TicketKey.random()),
                    List.of(TicketKey.random()))));
        }
        session = HandshakeBench.connect(server, client, null);
    }

    @Benchmark
    public boolean resumed() {
        SslSession next = HandshakeBench.connect(server, client, session);
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
}
