package io.github.ossltickets;

import io.github.ossltickets.net.InMemoryConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a hostile review of the FFM backend found (issue 19), on whichever backend runs: on Temurin 25
 * the FFM one, and again on JNA. The cases that ended the JVM run in child JVMs.
 */
class BackendHostileTest {

    /**
     * Code that caught a StackOverflowError drives handshakes while the stack is still nearly full: on
     * FFM the overflow struck as an upcall entered Java, outside any handler, and ended the JVM. Now
     * the stack is proven before each call into OpenSSL's state machine; the call throws instead.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void handshakesWhileUnwindingAStackOverflowDoNotEndTheJvm() {
        ChildJvm.run(BackendHostileTest.class, "handshakesAtTheStackEnd");
    }

    private static SslContext deepServer;
    private static SslContext deepClient;
    private static SslSession deepSession;
    private static int attempts;
    private static int handshakes;

    static void handshakesAtTheStackEnd() throws Exception {
        deepServer = Tls.server(TlsVersion.TLS1_3);
        TicketKey key = TicketKey.random();
        deepServer.setTicketKeyCallback(new TicketKeyCallback() {
            @Override
            public Optional<TicketKey> keyForNewTicket(Ssl connection) {
                return Optional.of(key);
            }

            @Override
            public Lookup findKey(Ssl connection, byte[] keyName) {
                return Arrays.equals(keyName, key.name()) ? Lookup.use(key) : Lookup.notFound();
            }
        });
        deepServer.setTicketCallbacks((ssl, session) -> {
            session.setTicketAppData(new byte[] {1, 2, 3});
            return true;
        }, (ssl, session, keyName, status) -> TicketReturn.defaultFor(status));
        deepClient = Tls.client(TlsVersion.TLS1_3);
        deepSession = Tls.firstSession(deepServer, deepClient);
        for (long stack : new long[] {256 * 1024, 1024 * 1024}) {
            attempts = 0;
            Thread thread = new Thread(null, () -> {
                try {
                    recurse();
                } catch (StackOverflowError expected) {
                    // every attempt was made on the way out
                }
            }, "deep", stack);
            thread.start();
            thread.join();
            assertTrue(attempts > 0, "no attempt was made at the stack's end");
        }
        assertTrue(handshakes > 0, "some handshakes higher up the stack completed");
        deepServer.close();
        deepClient.close();
    }

    private static void recurse() {
        try {
            recurse();
        } catch (StackOverflowError e) {
            if (attempts++ < 1_000) {
                attemptAHandshake();
                throw e; // one frame higher, the next attempt
            }
        }
    }

    private static void attemptAHandshake() {
        try {
            Ssl client = deepClient.newSsl();
            if ((attempts & 1) == 0) {
                client.setSession(deepSession);
            }
            try (InMemoryConnection connection = InMemoryConnection.join(deepServer.newSsl(), client)) {
                connection.handshake();
                handshakes++;
            }
        } catch (StackOverflowError | OpenSslException | IllegalStateException refused) {
            // what may happen this close to the stack's end: anything but the end of the JVM
        }
    }

    /**
     * InMemoryConnection proves the stack once for all its calls into OpenSSL. A callback of one of
     * those calls runs user code whose stack is unknown: here it recurses to the stack's end and, on
     * the way out, drives another connection pair with plain Ssl calls. Each of those must still prove
     * the stack itself; trusting the pump's proof ended the JVM.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aCallbackInsideThePumpStillProvesItsOwnCalls() {
        ChildJvm.run(BackendHostileTest.class, "callbackDrivesAtTheStackEnd");
    }

    static void callbackDrivesAtTheStackEnd() throws Exception {
        setUpTheConnectionsDrivenDeep();
        try (SslContext outerServer = Tls.server(TlsVersion.TLS1_3);
             SslContext outerClient = Tls.client(TlsVersion.TLS1_3)) {
            outerServer.setTicketCallbacks((ssl, session) -> {
                attempts = 0;
                try {
                    recurseDrivingPlainly();
                } catch (StackOverflowError expected) {
                    // every attempt was made on the way out
                }
                return true;
            }, (ssl, session, keyName, status) -> TicketReturn.defaultFor(status));
            for (long stack : new long[] {256 * 1024, 1024 * 1024}) {
                Thread thread = new Thread(null, () -> {
                    try (InMemoryConnection outer = InMemoryConnection.open(outerServer, outerClient)) {
                        outer.handshake();
                    }
                }, "pump", stack);
                thread.start();
                thread.join();
                assertTrue(attempts > 0, "no attempt was made at the stack's end");
            }
        }
    }

    /** deepServer (with ticket callbacks), deepClient and a session to offer, for the handshakes driven deep. */
    private static void setUpTheConnectionsDrivenDeep() {
        deepServer = Tls.server(TlsVersion.TLS1_3);
        deepServer.setTicketCallbacks((ssl, session) -> {
            session.setTicketAppData(new byte[] {4, 5, 6});
            return true;
        }, (ssl, session, keyName, status) -> TicketReturn.defaultFor(status));
        deepClient = Tls.client(TlsVersion.TLS1_3);
        deepSession = Tls.firstSession(deepServer, deepClient);
    }

    private static void recurseDrivingPlainly() {
        try {
            recurseDrivingPlainly();
        } catch (StackOverflowError e) {
            if (attempts++ < 1_000) {
                attemptAPlainHandshake();
                throw e;
            }
        }
    }

    /** A handshake through Ssl's own calls, which open no proof of their own. */
    private static void attemptAPlainHandshake() {
        Ssl client = null;
        Ssl server = null;
        try {
            client = deepClient.newSsl();
            server = deepServer.newSsl();
            client.setSession(deepSession);
            client.joinWithBioPair(server);
            for (int round = 0; round < 8 && !(client.isHandshakeFinished() && server.isHandshakeFinished()); round++) {
                client.handshake();
                server.handshake();
            }
        } catch (StackOverflowError | OpenSslException | IllegalStateException refused) {
            // what may happen this close to the stack's end: anything but the end of the JVM
        } finally {
            for (Ssl side : new Ssl[] {client, server}) {
                try {
                    if (side != null) {
                        side.close();
                    }
                } catch (StackOverflowError | IllegalStateException refused) {
                    // left to the Cleaner
                }
            }
        }
    }

    /**
     * User code that runs on the pump's thread after a call's callbacks are done, outside any callback:
     * the failure listener (a decryptor threw, and its IGNORE fallback let the handshake go on) and the
     * toString of a callback's exception (in the OpenSslException's message). Found by a hostile review:
     * with the pump's proof still holding there, such code recursed to the stack's end and drove
     * connections, plain and through another InMemoryConnection, and their upcalls ended the JVM.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void userCodeRunAfterAPumpsCallStillProvesItsOwnCalls() {
        ChildJvm.run(BackendHostileTest.class, "listenerAndToStringDriveAtTheStackEnd");
    }

    static void listenerAndToStringDriveAtTheStackEnd() throws Exception {
        setUpTheConnectionsDrivenDeep();
        try (SslContext listened = Tls.server(TlsVersion.TLS1_3);
             SslContext refusing = Tls.server(TlsVersion.TLS1_3);
             SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            SslSession offered = Tls.firstSession(listened, client);
            listened.setTicketCallbacks((ssl, session) -> true, (ssl, session, keyName, status) -> {
                throw new IllegalStateException("this decryptor refuses");
            }, TicketReturn.IGNORE);
            listened.setCallbackFailureListener(failure -> recurseDrivingFromAnywhere());
            refusing.setClientHelloCallback((ssl, hello) -> {
                throw new IllegalStateException("this ClientHello is refused") {
                    @Override
                    public String toString() {
                        recurseDrivingFromAnywhere();
                        return super.toString();
                    }
                };
            });
            for (long stack : new long[] {256 * 1024, 1024 * 1024}) {
                for (SslContext server : new SslContext[] {listened, refusing}) {
                    attempts = 0;
                    Thread thread = new Thread(null, () -> {
                        try (InMemoryConnection outer = InMemoryConnection.open(server, client,
                                server == listened ? offered : null)) {
                            outer.handshake();
                        } catch (OpenSslException refused) {
                            // the ClientHello callback's failure, once its toString has run
                        }
                    }, "pump", stack);
                    thread.start();
                    thread.join();
                    assertTrue(attempts > 0, "no attempt was made at the stack's end");
                }
            }
            offered.close();
        }
    }

    private static void recurseDrivingFromAnywhere() {
        attempts = 0;
        try {
            recurseAndDrive();
        } catch (StackOverflowError expected) {
            // every attempt was made on the way out
        }
    }

    private static void recurseAndDrive() {
        try {
            recurseAndDrive();
        } catch (StackOverflowError e) {
            if (attempts++ < 1_000) {
                if ((attempts & 1) == 0) {
                    attemptAPlainHandshake();
                } else {
                    attemptAHandshake();
                }
                throw e;
            }
        }
    }

    /** BIO_read wrote into a read-only buffer: silently for a read-only view, a crash for a read-only mapping. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aNetworkBioReadsIntoNoReadOnlyBuffer() {
        ChildJvm.run(BackendHostileTest.class, "readIntoReadOnlyBuffers");
    }

    static void readIntoReadOnlyBuffers() throws Exception {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3);
             SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            Ssl side = client.newSsl();
            NetworkBio network = side.attachNetworkBio(0);
            assertEquals(false, side.handshake(), "the ClientHello waits in the network BIO");
            ByteBuffer view = ByteBuffer.allocateDirect(64).asReadOnlyBuffer();
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> network.read(view));
            assertTrue(refused.getMessage().contains("read-only"), refused.getMessage());
            assertEquals(0, view.get(0), "nothing was written into the read-only buffer");
            Path file = Files.createTempFile("ossl-tickets-read-only", ".bin");
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(new byte[4096]));
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, 4096);
                assertThrows(IllegalArgumentException.class, () -> network.read(mapped));
            } finally {
                Files.delete(file);
            }
            assertTrue(network.read(ByteBuffer.allocateDirect(4096)) > 0, "a writable buffer still gets the bytes");
            side.close();
        }
    }

    /**
     * findKey may resume another connection on its thread; the nested findKey got the same per-thread
     * array, so the outer one's key name changed under it and its ticket was not resumed.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aNestedFindKeyLeavesTheOuterKeyNameAlone() {
        TicketKey outerKey = TicketKey.random();
        TicketKey innerKey = TicketKey.random();
        try (SslContext outer = Tls.server(TlsVersion.TLS1_2);
             SslContext inner = Tls.server(TlsVersion.TLS1_2);
             SslContext client = Tls.client(TlsVersion.TLS1_2)) {
            inner.setTicketKeyCallback(fixedKey(innerKey, null));
            SslSession innerSession = Tls.firstSession(inner, client);
            AtomicReference<String> seen = new AtomicReference<>();
            outer.setTicketKeyCallback(fixedKey(outerKey, keyName -> {
                byte[] before = keyName.clone();
                try (InMemoryConnection nested = InMemoryConnection.open(inner, client, innerSession)) {
                    nested.handshake();
                    assertTrue(nested.client().isSessionReused(), "the nested resumption");
                }
                seen.set(Arrays.equals(before, keyName) ? "unchanged" : "changed to " + Arrays.toString(keyName));
            }));
            SslSession outerSession = Tls.firstSession(outer, client);
            try (InMemoryConnection connection = InMemoryConnection.open(outer, client, outerSession)) {
                connection.handshake();
                assertEquals("unchanged", seen.get(), "the outer findKey's key name after the nested one");
                assertTrue(connection.client().isSessionReused(), "the outer ticket resumed");
            }
        }
    }

    private static TicketKeyCallback fixedKey(TicketKey key, java.util.function.Consumer<byte[]> whileFinding) {
        return new TicketKeyCallback() {
            @Override
            public Optional<TicketKey> keyForNewTicket(Ssl connection) {
                return Optional.of(key);
            }

            @Override
            public Lookup findKey(Ssl connection, byte[] keyName) {
                if (whileFinding != null) {
                    whileFinding.accept(keyName);
                }
                return Arrays.equals(keyName, key.name()) ? Lookup.use(key) : Lookup.notFound();
            }
        };
    }

    /**
     * FFM reads and writes through a per-thread native buffer: it grew to the largest array ever passed
     * and stayed (16 threads reading into 32 MiB kept 512 MiB), and each virtual thread kept one of its
     * own. Resident memory must not grow by that.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void largeReadsAndVirtualThreadsKeepNoNativeBuffers() {
        ChildJvm.run(BackendHostileTest.class, "readsKeepNoBuffers", "-Xmx96m");
    }

    static void readsKeepNoBuffers() throws Exception {
        try (SslContext server = Tls.server(TlsVersion.TLS1_3);
             SslContext client = Tls.client(TlsVersion.TLS1_3)) {
            byte[] huge = new byte[32 << 20]; // one array, shared: only native copies could add up
            long before = residentBytes();
            List<Thread> readers = new ArrayList<>();
            CountDownLatch measured = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(16);
            for (int i = 0; i < 16; i++) {
                Thread reader = new Thread(() -> keepAfterReading(server, client, huge, done, measured));
                reader.start();
                readers.add(reader);
            }
            assertTrue(done.await(60, TimeUnit.SECONDS));
            long platformGrowth = residentBytes() - before;
            java.util.concurrent.ExecutorService virtualThreads = virtualThreadPerTask();
            if (virtualThreads != null) { // JDK 21+: the tests compile for 17
                CountDownLatch virtualDone = new CountDownLatch(2_000);
                try (InMemoryConnection shared = InMemoryConnection.open(server, client, null)) {
                    shared.handshake();
                    Object turn = new Object();
                    for (int i = 0; i < 2_000; i++) {
                        virtualThreads.execute(() -> {
                            synchronized (turn) {
                                shared.client().read(new byte[1]); // nothing to read: a call, no data
                            }
                            virtualDone.countDown();
                            awaitQuietly(measured);
                        });
                    }
                    assertTrue(virtualDone.await(60, TimeUnit.SECONDS));
                }
            }
            long growth = residentBytes() - before;
            measured.countDown();
            for (Thread reader : readers) {
                reader.join();
            }
            if (virtualThreads != null) {
                virtualThreads.shutdown();
                assertTrue(virtualThreads.awaitTermination(60, TimeUnit.SECONDS));
            }
            assertTrue(platformGrowth < 128L << 20, "16 threads that read into 32 MiB arrays grew resident memory by "
                    + (platformGrowth >> 20) + " MiB");
            assertTrue(growth < 160L << 20, "and 2,000 virtual threads by " + ((growth - platformGrowth) >> 20) + " MiB more");
        }
    }

    private static void keepAfterReading(SslContext server, SslContext client, byte[] into, CountDownLatch done,
            CountDownLatch measured) {
        try (InMemoryConnection connection = InMemoryConnection.open(server, client, null)) {
            connection.handshake();
            connection.server().write(new byte[] {42});
            byte[] mine = new byte[1];
            int read = connection.client().read(into);
            System.arraycopy(into, 0, mine, 0, 1);
            assertEquals(1, read);
        }
        done.countDown();
        awaitQuietly(measured); // the thread, and whatever it keeps, lives until measured
    }

    private static java.util.concurrent.ExecutorService virtualThreadPerTask() throws Exception {
        try {
            return (java.util.concurrent.ExecutorService) java.util.concurrent.Executors.class
                    .getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (NoSuchMethodException beforeJdk21) {
            return null;
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long residentBytes() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new AssertionError("no VmRSS in /proc/self/status");
    }

    @Test
    void aLargeWriteArrivesWhole() {
        byte[] data = new byte[3 << 20];
        new java.util.Random(7).nextBytes(data);
        try (SslContext server = Tls.server(TlsVersion.TLS1_3);
             SslContext client = Tls.client(TlsVersion.TLS1_3);
             InMemoryConnection connection = InMemoryConnection.open(server, client, null)) {
            connection.handshake();
            java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
            byte[] chunk = new byte[1 << 20]; // larger than a record: SSL_read returns a record at most
            int offset = 0;
            while (offset < data.length) {
                int part = Math.min(12_000, data.length - offset); // what the BIO pair holds
                connection.client().write(Arrays.copyOfRange(data, offset, offset + part));
                offset += part;
                int read;
                while ((read = connection.server().read(chunk)) > 0) {
                    assertTrue(read <= 16_384, "one record at most: " + read);
                    received.write(chunk, 0, read);
                }
            }
            assertArrayEquals(data, received.toByteArray());
        }
    }
}
