package io.github.ossltickets.netty;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.TicketReturn;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;

import java.nio.file.Path;

/**
 * Netty contexts attached with callbacks that use the handle they were given, then released: each
 * native context must be freed by the release, not kept by its own callbacks. Run in the trixie image
 * by NettyExample's GET /release-cycle (AdaptersContainerIT), since tcnative needs OpenSSL 3.2.
 */
final class NettyReleaseCycle {
    private NettyReleaseCycle() {}

    /** The report: the count of native contexts with our callbacks before and after {@code rounds} cycles. */
    static String run(Path key, Path cert, int rounds) throws Exception {
        long before = OpenSsl.liveObjects().contextsWithCallbacks();
        for (int i = 0; i < rounds; i++) {
            SslContext netty = SslContextBuilder.forServer(cert.toFile(), key.toFile()).sslProvider(SslProvider.OPENSSL)
                    .protocols("TLSv1.2", "TLSv1.3").build();
            NettyTickets.attach(netty, context -> context.setTicketCallbacks(
                    (ssl, session) -> context.ticketStats().ticketsGenerated() >= 0,
                    (ssl, session, name, status) -> context.ticketStats().decrypts() > 0
                            ? TicketReturn.defaultFor(status) : TicketReturn.ABORT));
            ReferenceCountUtil.release(netty); // Netty frees the SSL_CTX now
        }
        long afterRelease = OpenSsl.liveObjects().contextsWithCallbacks();
        for (int gc = 0; gc < 50 && OpenSsl.liveObjects().contextsWithCallbacks() > before; gc++) {
            System.gc();
            Thread.sleep(20);
        }
        return "server: netty-release-cycle\nrounds: " + rounds + "\nbefore: " + before + "\nafter-release: "
                + afterRelease + "\nafter-gc: " + OpenSsl.liveObjects().contextsWithCallbacks() + "\n";
    }
}
