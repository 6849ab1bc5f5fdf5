package io.github.ossltickets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.WeakReference;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connection and its {@link NetworkBio} are the two halves of one BIO pair, each of which reads the
 * other's buffer, and a BIO pair is not thread-safe. The Cleaner runs on a thread of its own: when it
 * freed one half because only that handle was dropped, the free ran beside whatever the caller's thread
 * was doing with the other half (a use of freed memory), and even alone it cut the connection off from
 * its transport. So each handle keeps the other reachable: they are collected together, as two joined
 * connections are, and the one Cleaner thread frees them one after the other.
 */
@Timeout(60)
class NetworkBioReachabilityTest {
    @Test
    void aDroppedConnectionIsNotFreedWhileItsNetworkBioIsInUse() {
        try (SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            Ssl ssl = client.newSsl();
            NetworkBio network = ssl.attachNetworkBio(0);
            assertFalse(ssl.handshake(), "the ClientHello waits in the BIO pair");
            WeakReference<Ssl> dropped = new WeakReference<>(ssl);
            ssl = null;
            collectAndClean(dropped);
            assertNotNull(dropped.get(), "the Ssl was collected while its NetworkBio is still used");
            assertTrue(network.pending() > 0, "the ClientHello the connection wrote is still there to send");
            network.close();
        }
    }

    @Test
    void aDroppedNetworkBioIsNotFreedWhileItsConnectionIsInUse() {
        try (SslContext client = Tls.client(TlsVersion.TLS1_3); Ssl ssl = client.newSsl()) {
            NetworkBio network = ssl.attachNetworkBio(0);
            WeakReference<NetworkBio> dropped = new WeakReference<>(network);
            network = null;
            collectAndClean(dropped);
            assertNotNull(dropped.get(), "the NetworkBio was collected while its Ssl is still used");
            // With its network end freed, OpenSSL fails the handshake: "BIO routines::uninitialized".
            assertFalse(ssl.handshake(), "the handshake still writes its ClientHello into the BIO pair");
        }
    }

    /** Runs the collector until {@code watched} is cleared or 2 s pass, then gives the Cleaner time to run. */
    private static void collectAndClean(WeakReference<?> watched) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (watched.get() != null && System.nanoTime() < deadline) {
            System.gc();
            sleep(20);
        }
        sleep(200); // the Cleaner thread frees what was collected
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
