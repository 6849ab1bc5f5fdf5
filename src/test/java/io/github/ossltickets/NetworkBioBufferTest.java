package io.github.ossltickets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NetworkBio's direct-buffer read and write: two real connections, each on its own BIO pair, carried
 * by direct buffers whose positions are not zero, as a transport with a shared buffer uses them.
 */
@Timeout(30)
class NetworkBioBufferTest {
    /** Where in each direct buffer the bytes start: a read or write that ignored the position corrupts every record. */
    private static final int OFFSET = 7;

    @Test
    void aHandshakeAndApplicationDataCrossDirectBuffersAtTheirPositions() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); SslContext client = Tls.client(TlsVersion.TLS1_3);
             Ssl serverSide = server.newSsl(); Ssl clientSide = client.newSsl();
             NetworkBio serverNetwork = serverSide.attachNetworkBio(0);
             NetworkBio clientNetwork = clientSide.attachNetworkBio(0)) {
            // Small windows: each flight crosses in several pieces, so positions advance within one buffer.
            ByteBuffer wire = ByteBuffer.allocateDirect(OFFSET + 300);
            boolean serverDone = false;
            boolean clientDone = false;
            for (int round = 0; round < 200 && !(serverDone && clientDone); round++) {
                clientDone = clientSide.handshake();
                carry(clientNetwork, serverNetwork, wire);
                serverDone = serverSide.handshake();
                carry(serverNetwork, clientNetwork, wire);
            }
            assertTrue(serverDone && clientDone, "the handshake finished over direct buffers");

            byte[] message = "over a direct buffer, byte for byte".getBytes(StandardCharsets.US_ASCII);
            assertEquals(message.length, clientSide.write(message));
            carry(clientNetwork, serverNetwork, wire);
            byte[] received = new byte[message.length];
            assertEquals(message.length, serverSide.read(received));
            assertArrayEquals(message, received);
        }
    }

    @Test
    void aReadFillsOnlyUpToTheLimitAndLeavesTheRestPending() {
        try (SslContext client = Tls.client(TlsVersion.TLS1_3); Ssl clientSide = client.newSsl();
             NetworkBio network = clientSide.attachNetworkBio(0)) {
            assertFalse(clientSide.handshake()); // writes its ClientHello into the BIO
            int hello = network.pending();
            assertTrue(hello > 20, "a ClientHello waits: " + hello);
            ByteBuffer buffer = ByteBuffer.allocateDirect(64);
            buffer.position(OFFSET).limit(OFFSET + 10);
            assertEquals(10, network.read(buffer));
            assertEquals(OFFSET + 10, buffer.position());
            assertEquals(22, buffer.get(OFFSET), "a handshake record's type byte, at the position");
            assertEquals(hello - 10, network.pending());
            assertEquals(0, network.read(buffer), "a full buffer takes nothing");
        }
    }

    @Test
    void heapBuffersAndWritesBeyondTheRoomAreRefusedWhole() {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); Ssl serverSide = server.newSsl();
             NetworkBio network = serverSide.attachNetworkBio(64)) {
            IllegalArgumentException heap = assertThrows(IllegalArgumentException.class,
                    () -> network.write(ByteBuffer.allocate(8)));
            assertTrue(heap.getMessage().contains("only if they are direct"), heap.getMessage());
            assertThrows(IllegalArgumentException.class, () -> network.read(ByteBuffer.allocate(8)));

            ByteBuffer tooMuch = ByteBuffer.allocateDirect(65);
            IllegalArgumentException full = assertThrows(IllegalArgumentException.class, () -> network.write(tooMuch));
            assertTrue(full.getMessage().contains("65 bytes do not fit: room() is 64"), full.getMessage());
            assertEquals(0, tooMuch.position(), "nothing taken");
            assertEquals(64, network.room(), "nothing written");
        }
    }

    /** Moves what {@code from} has to send into {@code to}, through {@code wire} at {@link #OFFSET}, as much as fits. */
    private static void carry(NetworkBio from, NetworkBio to, ByteBuffer wire) {
        while (from.pending() > 0) {
            wire.clear().position(OFFSET).limit(OFFSET + Math.min(wire.capacity() - OFFSET, to.room()));
            int n = from.read(wire);
            assertEquals(OFFSET + n, wire.position());
            wire.flip().position(OFFSET);
            to.write(wire);
            assertEquals(wire.limit(), wire.position(), "a write takes the whole remainder");
        }
    }
}
