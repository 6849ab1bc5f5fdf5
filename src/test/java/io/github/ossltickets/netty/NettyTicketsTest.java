package io.github.ossltickets.netty;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.ProcessChecks;
import io.github.ossltickets.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link NettyTickets#attach} refuses, on this machine, where Netty's only tcnative is the
 * BoringSSL build (the OpenSSL build needs OpenSSL 3.2+: it runs in the trixie container, ContainerIT).
 */
class NettyTicketsTest {
    private static final io.github.ossltickets.SelfSignedCertificate PEM =
            io.github.ossltickets.SelfSignedCertificate.generate("localhost");

    @Test
    void aBoringSslContextIsRefusedAndNothingIsInstalled() throws Exception {
        io.netty.handler.ssl.SslContext boring = SslContextBuilder.forServer(
                new java.io.ByteArrayInputStream(PEM.certificatePem().getBytes()),
                new java.io.ByteArrayInputStream(PEM.privateKeyPem().getBytes()))
                .sslProvider(SslProvider.OPENSSL).build();
        AtomicBoolean installerRan = new AtomicBoolean();
        OpenSsl.LiveObjects before = OpenSsl.liveObjects();
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> NettyTickets.attach(boring, context -> installerRan.set(true)));
        assertTrue(refused.getMessage().contains("BoringSSL"), refused.getMessage());
        assertTrue(refused.getMessage().contains(OpenSsl.version()), refused.getMessage());
        assertFalse(installerRan.get(), "the installer must not run on a context that is not ours");
        assertTrue(ProcessChecks.noMoreThan(before), "nothing was borrowed: before " + before + ", after "
                + OpenSsl.liveObjects());
        io.netty.util.ReferenceCountUtil.release(boring);
    }

    @Test
    void aReleasedContextIsRefusedBeforeItsPointerIsRead() throws Exception {
        io.netty.handler.ssl.SslContext released = SslContextBuilder.forServer(
                new java.io.ByteArrayInputStream(PEM.certificatePem().getBytes()),
                new java.io.ByteArrayInputStream(PEM.privateKeyPem().getBytes()))
                .sslProvider(SslProvider.OPENSSL).build();
        io.netty.util.ReferenceCountUtil.release(released); // Netty frees its SSL_CTX here
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> NettyTickets.attach(released, SslContext::numTickets));
        assertTrue(refused.getMessage().contains("released"), refused.getMessage());
    }

    @Test
    void aClientContextIsRefused() throws Exception {
        io.netty.handler.ssl.SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL).build();
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> NettyTickets.attach(client, SslContext::numTickets));
        assertTrue(refused.getMessage().contains("client context"), refused.getMessage());
        io.netty.util.ReferenceCountUtil.release(client);
    }

    @Test
    void aJdkContextIsRefused() throws Exception {
        io.netty.handler.ssl.SslContext jdk = SslContextBuilder.forServer(
                new java.io.ByteArrayInputStream(PEM.certificatePem().getBytes()),
                new java.io.ByteArrayInputStream(PEM.privateKeyPem().getBytes()))
                .sslProvider(SslProvider.JDK).build();
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> NettyTickets.attach(jdk, SslContext::numTickets));
        assertTrue(refused.getMessage().contains("not OpenSSL-backed"), refused.getMessage());
    }
}
