package io.github.ossltickets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A direct buffer whose memory is gone, handed to {@link NetworkBio}: on JDK 22+ a buffer of an
 * {@code Arena} that was closed still answers {@code position()} and {@code remaining()}, and its
 * address is that of freed memory. The JDK's own channels refuse it ("Already closed"); a
 * {@code BIO_write} from it, or a {@code BIO_read} into it, crashed the JVM (SIGSEGV in memcpy). Each case
 * runs in a child JVM: a regression fails that test, not the run.
 */
@Timeout(150)
class FreedBufferTest {
    /** Above glibc's largest mmap threshold (32 MiB): the close unmaps it, so a use of it is a SIGSEGV, not silent garbage. */
    private static final long UNMAPPED_ON_CLOSE = 64L << 20;

    @Test
    void aWriteFromAClosedArenasBufferIsRefused() {
        assumeArenas();
        ChildJvm.run(FreedBufferTest.class, "writeFromAClosedArenasBuffer");
    }

    @Test
    void aReadIntoAClosedArenasBufferIsRefused() {
        assumeArenas();
        ChildJvm.run(FreedBufferTest.class, "readIntoAClosedArenasBuffer");
    }

    private static void assumeArenas() {
        assumeTrue(Runtime.version().feature() >= 22, "java.lang.foreign.Arena is final from JDK 22");
    }

    static void writeFromAClosedArenasBuffer() throws ReflectiveOperationException {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3); Ssl ssl = server.newSsl();
             NetworkBio network = ssl.attachNetworkBio(0)) {
            ByteBuffer freed = closedArenasBuffer();
            freed.limit(100);
            int room = network.room();
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> network.write(freed));
            assertTrue(String.valueOf(refused.getMessage()).contains("closed"), refused.toString());
            assertEquals(0, freed.position(), "a refused write leaves the buffer as it was");
            assertEquals(room, network.room(), "nothing reached the connection");
        }
    }

    static void readIntoAClosedArenasBuffer() throws ReflectiveOperationException {
        try (SslContext client = Tls.client(TlsVersion.TLS1_3); Ssl ssl = client.newSsl();
             NetworkBio network = ssl.attachNetworkBio(0)) {
            assertTrue(!ssl.handshake(), "the ClientHello waits in the BIO");
            int pending = network.pending();
            assertTrue(pending > 0, "the ClientHello waits in the BIO");
            ByteBuffer freed = closedArenasBuffer();
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> network.read(freed));
            assertTrue(String.valueOf(refused.getMessage()).contains("closed"), refused.toString());
            assertEquals(pending, network.pending(), "a refused read takes nothing");
        }
    }

    /** A direct buffer over {@value #UNMAPPED_ON_CLOSE} bytes of a shared Arena, closed (JDK 22+ API, through reflection). */
    private static ByteBuffer closedArenasBuffer() throws ReflectiveOperationException {
        Class<?> arenaType = Class.forName("java.lang.foreign.Arena");
        Object arena = arenaType.getMethod("ofShared").invoke(null);
        Object segment = arenaType.getMethod("allocate", long.class).invoke(arena, UNMAPPED_ON_CLOSE);
        ByteBuffer buffer = (ByteBuffer) Class.forName("java.lang.foreign.MemorySegment").getMethod("asByteBuffer")
                .invoke(segment);
        arenaType.getMethod("close").invoke(arena);
        return buffer;
    }
}
