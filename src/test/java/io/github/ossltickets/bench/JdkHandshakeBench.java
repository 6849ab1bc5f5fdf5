package io.github.ossltickets.bench;

import io.github.ossltickets.SelfSignedCertificate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * Workload (c): the JDK's own TLS, an SSLEngine pair in memory with the same P-256 certificate,
 * stateless tickets on (the JDK's default since 13). A resumption is a new client engine for the same
 * peer, which the JDK's client session cache resumes. Run by scripts/bench, never by the tests.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class JdkHandshakeBench {
    @Param({"TLSv1.2", "TLSv1.3"})
    public String protocol;
    @Param({"resumed", "full"})
    public String mode;

    private SSLContext server;
    private SSLContext client;
    private int peerPort = 1;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        System.setProperty("jdk.tls.server.enableSessionTicketExtension", "true");
        SelfSignedCertificate pem = SelfSignedCertificate.generate("localhost");
        Certificate certificate = CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.certificatePem().getBytes(StandardCharsets.US_ASCII)));
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder()
                .decode(pem.privateKeyPem().replaceAll("-----[A-Z ]+-----", ""))));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", key, new char[0], new Certificate[] {certificate});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        server = SSLContext.getInstance(protocol);
        server.init(kmf.getKeyManagers(), null, null);
        client = SSLContext.getInstance(protocol);
        client.init(null, tmf.getTrustManagers(), null);
        handshake(); // a session for the first resumption
    }

    @Benchmark
    public boolean handshake() throws SSLException {
        // A new peer port every time defeats the client's session cache: a full handshake.
        SSLEngine clientEngine = client.createSSLEngine("localhost", mode.equals("full") ? ++peerPort : 443);
        clientEngine.setUseClientMode(true);
        clientEngine.setEnabledProtocols(new String[] {protocol});
        SSLEngine serverEngine = server.createSSLEngine();
        serverEngine.setUseClientMode(false);
        serverEngine.setEnabledProtocols(new String[] {protocol});
        exchange(clientEngine, serverEngine);
        return true;
    }

    /** Runs both engines until neither has anything left to say: the handshake and TLS 1.3's tickets. */
    static void exchange(SSLEngine clientEngine, SSLEngine serverEngine) throws SSLException {
        int size = clientEngine.getSession().getPacketBufferSize() * 2;
        ByteBuffer toServer = ByteBuffer.allocate(size);
        ByteBuffer toClient = ByteBuffer.allocate(size);
        ByteBuffer application = ByteBuffer.allocate(clientEngine.getSession().getApplicationBufferSize() * 2);
        clientEngine.beginHandshake();
        serverEngine.beginHandshake();
        for (int round = 0; round < 64; round++) {
            boolean moved = step(clientEngine, toClient, toServer, application);
            moved |= step(serverEngine, toServer, toClient, application);
            if (!moved) {
                if (clientEngine.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
                    throw new SSLException("the JDK handshake stalled: " + clientEngine.getHandshakeStatus());
                }
                return;
            }
        }
        throw new SSLException("the JDK handshake did not finish in 64 rounds");
    }

    private static boolean step(SSLEngine engine, ByteBuffer in, ByteBuffer out, ByteBuffer application)
            throws SSLException {
        boolean moved = false;
        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            task.run();
            moved = true;
        }
        in.flip();
        while (in.hasRemaining()) {
            application.clear();
            SSLEngineResult result = engine.unwrap(in, application);
            for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                task.run();
            }
            if (result.bytesConsumed() == 0) {
                break;
            }
            moved = true;
        }
        in.compact();
        while (true) {
            SSLEngineResult result = engine.wrap(ByteBuffer.allocate(0), out);
            for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                task.run();
            }
            if (result.bytesProduced() == 0) {
                break;
            }
            moved = true;
        }
        return moved;
    }
}
