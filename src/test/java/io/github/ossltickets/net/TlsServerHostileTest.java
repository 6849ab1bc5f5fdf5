package io.github.ossltickets.net;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.SslContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server's failure paths and limits, as a careless or hostile user would meet them, on real sockets. */
@Timeout(60)
class TlsServerHostileTest {
    private static SslContext serverContext;
    private static SslContext clientContext;

    @BeforeAll
    static void contexts() {
        serverContext = SslContext.forServer().selfSignedCertificate().serverSessionCache(false).build();
        clientContext = SslContext.forClient().build();
    }

    @AfterAll
    static void close() {
        serverContext.close();
        clientContext.close();
    }

    private final RecordingLogger logger = new RecordingLogger();

    private TlsServer.Builder server(TlsServer.Handler handler) {
        return TlsServer.builder(serverContext, handler).port(0).logger(logger);
    }

    /** Echoes what one read brings. */
    private static void echo(TlsConnection connection) throws IOException {
        byte[] buffer = new byte[256];
        int n = connection.read(buffer);
        if (n > 0) {
            connection.write(java.util.Arrays.copyOf(buffer, n));
        }
    }

    private static String roundTrip(TlsClient client, int port, String text) throws IOException {
        try (TlsConnection connection = client.connect("127.0.0.1", port)) {
            connection.write(text.getBytes(StandardCharsets.UTF_8));
            byte[] buffer = new byte[256];
            int n = connection.read(buffer);
            return n < 0 ? "" : new String(buffer, 0, n, StandardCharsets.UTF_8);
        }
    }

    @Test
    void startOnAPortInUseLeaksNoDescriptorAndNamesAddressAndPort() throws Exception {
        try (TlsServer first = server(TlsServerHostileTest::echo).build()) {
            long before = openDescriptors();
            for (int i = 0; i < 100; i++) {
                BindException e = assertThrows(BindException.class,
                        () -> server(TlsServerHostileTest::echo).port(first.port()).build());
                assertTrue(e.getMessage().contains("127.0.0.1") && e.getMessage().contains("port " + first.port()),
                        e.getMessage());
            }
            assertTrue(openDescriptors() - before < 10, "descriptors before " + before + ", after 100 failed starts "
                    + openDescriptors());
        }
        InetAddress unassignable = InetAddress.getByName("192.0.2.1"); // TEST-NET-1: on no interface here
        BindException e = assertThrows(BindException.class, () -> server(TlsServerHostileTest::echo)
                .bind(unassignable).build());
        assertTrue(e.getMessage().contains("192.0.2.1"), e.getMessage());
    }

    @Test
    void wrongContextsAreRefusedWhenBuilt() {
        SslContext closed = SslContext.forServer().selfSignedCertificate().build();
        closed.close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TlsServer.builder(closed, TlsServerHostileTest::echo));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TlsServer.builder(clientContext, TlsServerHostileTest::echo));
        assertTrue(e.getMessage().contains("needs a server context") && e.getMessage().contains("client context"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TlsClient(serverContext, Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("needs a client context") && e.getMessage().contains("server context"),
                e.getMessage());
        SslContext closedClient = SslContext.forClient().build();
        closedClient.close();
        e = assertThrows(IllegalArgumentException.class, () -> new TlsClient(closedClient, Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    /** The handler ignores interrupts and never returns: close() still ends on time and frees every native object. */
    @Test
    void aHandlerThatNeverReturnsDoesNotHoldUpClose() throws Exception {
        OpenSsl.LiveObjects before = settledLiveObjects();
        AtomicBoolean release = new AtomicBoolean();
        CountDownLatch inside = new CountDownLatch(1);
        TlsServer server = server(connection -> {
            inside.countDown();
            while (!release.get()) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ignored) {
                    // this handler will not stop
                }
            }
        }).grace(Duration.ofMillis(100)).build();
        try (TlsClient client = new TlsClient(clientContext, Duration.ofSeconds(10));
             TlsConnection connection = client.connect("127.0.0.1", server.port())) {
            connection.write("x".getBytes(StandardCharsets.UTF_8));
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            long start = System.nanoTime();
            server.close();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 100 + 1_500, "close() with 100 ms grace took " + millis + " ms");
            assertEquals(0, server.stats().connectionsOpen(), "the stuck connection was freed");
            assertTrue(logger.entries.stream().anyMatch(entry -> entry.message().contains("ignored the interrupt")),
                    "the stuck handler was named: " + logger.entries);
        } finally {
            try {
                assertLiveObjectsReturnTo(before);
            } finally {
                release.set(true);
            }
        }
    }

    @Test
    void aHandlerThatThrowsAnErrorIsCountedAndLoggedAndTheWorkerLivesOn() throws Exception {
        Error bug = new Error("a bug in the handler");
        AtomicInteger calls = new AtomicInteger();
        try (TlsServer server = server(connection -> {
            if (calls.incrementAndGet() == 1) {
                throw bug;
            }
            echo(connection);
        }).workers(1).build(); TlsClient client = new TlsClient(clientContext, Duration.ofSeconds(10))) {
            try {
                roundTrip(client, server.port(), "first");
            } catch (IOException | RuntimeException closedWithoutAnswer) {
                // the handler died: the server closed the connection
            }
            assertEquals("second", roundTrip(client, server.port(), "second"), "the only worker still serves");
            assertEquals(1, server.stats().connectionsFailed());
            RecordingLogger.Entry logged = logger.entries.stream().filter(entry -> entry.thrown() != null)
                    .findFirst().orElseThrow(() -> new AssertionError("not logged: " + logger.entries));
            assertSame(bug, logged.thrown());
            assertEquals(System.Logger.Level.ERROR, logged.level());
        }
    }

    @Test
    void aHandlerThatClosesItsServerIsAnsweredAndTheServerStops() throws Exception {
        AtomicReference<TlsServer> self = new AtomicReference<>();
        TlsServer server = server(connection -> {
            self.get().close();
            echo(connection);
        }).build();
        self.set(server);
        try (TlsClient client = new TlsClient(clientContext, Duration.ofSeconds(10))) {
            long start = System.nanoTime();
            assertEquals("bye", roundTrip(client, server.port(), "bye"));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "the handler's close() returned at once");
            waitFor(() -> server.stats().connectionsOpen() == 0, "the server closed and freed its connection");
            waitFor(() -> refuses(server.port()), "the server stopped listening");
        } finally {
            server.close();
        }
    }

    @Test
    void closeFromTwoThreadsAtOnceReturnsOnlyWhenEverythingIsFreed() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        TlsServer server = server(connection -> {
            inside.countDown();
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            echo(connection);
        }).build();
        try (TlsClient client = new TlsClient(clientContext, Duration.ofSeconds(10));
             TlsConnection connection = client.connect("127.0.0.1", server.port())) {
            connection.write("x".getBytes(StandardCharsets.UTF_8));
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            List<Thread> closers = new ArrayList<>();
            List<Integer> openAfterClose = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 2; i++) {
                Thread closer = new Thread(() -> {
                    server.close();
                    openAfterClose.add(server.stats().connectionsOpen());
                });
                closers.add(closer);
                closer.start();
            }
            for (Thread closer : closers) {
                closer.join(10_000);
            }
            assertEquals(List.of(0, 0), openAfterClose, "each close() returned after the connection was freed");
        }
    }

    @Test
    void connectionsPerClientAddressAreLimited() throws Exception {
        try (TlsServer server = server(TlsServerHostileTest::echo).maxPerClient(2).build();
             TlsClient client = new TlsClient(clientContext, Duration.ofSeconds(10))) {
            Socket first = connect("127.0.0.1", server.port());
            Socket second = connect("127.0.0.1", server.port());
            try (Socket third = connect("127.0.0.1", server.port());
                 Socket otherAddress = connect("127.0.0.2", server.port())) {
                assertEquals(-1, third.getInputStream().read(), "the third from 127.0.0.1 is closed at once");
                otherAddress.setSoTimeout(300);
                assertThrows(SocketTimeoutException.class, () -> otherAddress.getInputStream().read(),
                        "127.0.0.2 has its own count");
                assertEquals(1, server.stats().connectionsRefusedPerClient());
                assertEquals(1, server.stats().connectionsRefused());
                assertTrue(logger.entries.stream().anyMatch(entry -> entry.message().contains("maxPerClient")),
                        logger.entries.toString());
            }
            first.close();
            second.close();
            waitFor(() -> server.stats().connectionsOpen() == 0, "the idle connections were freed");
            assertEquals("again", roundTrip(client, server.port(), "again"), "freed places count again");
        }
    }

    @Test
    void atTheConnectionCapTheOldestHandshakeMakesRoom() throws Exception {
        try (TlsServer server = server(TlsServerHostileTest::echo).maxConnections(3).build();
             TlsClient client = new TlsClient(clientContext, Duration.ofSeconds(10))) {
            List<Socket> idle = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                idle.add(connect("127.0.0.1", server.port()));
            }
            waitFor(() -> server.stats().connectionsOpen() == 3, "three idle connections open");
            assertEquals("hello", roundTrip(client, server.port(), "hello"));
            assertEquals(1, server.stats().connectionsEvicted());
            assertEquals(-1, idle.get(0).getInputStream().read(), "the oldest idle connection made room");
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    /** At the cap with no handshake to displace, a new connection is refused, and counted as refused. */
    @Test
    void aConnectionRefusedAtTheCapIsCounted() throws Exception {
        try (TlsServer server = server(TlsServerHostileTest::echo).maxConnections(2).build();
             TlsClient client = new TlsClient(clientContext, Duration.ofSeconds(10));
             TlsConnection first = client.connect("127.0.0.1", server.port());
             TlsConnection second = client.connect("127.0.0.1", server.port())) {
            waitFor(() -> server.stats().handshakes() == 2, "two connections wait for their requests");
            try (Socket third = connect("127.0.0.1", server.port())) {
                assertEquals(-1, third.getInputStream().read(), "the third connection is closed at once");
            }
            waitFor(() -> server.stats().connectionsRefused() == 1, "the refusal is counted");
            assertEquals(0, server.stats().connectionsEvicted());
            assertEquals(0, server.stats().connectionsRefusedPerClient());
        }
    }

    /** A first record that claims 64 KB and then a flood of bytes: cut off at once, nothing kept. */
    @Test
    void aPeerFloodingBytesIsCutOff() throws Exception {
        OpenSsl.LiveObjects before = settledLiveObjects();
        try (TlsServer server = server(TlsServerHostileTest::echo).build();
             Socket flood = connect("127.0.0.1", server.port())) {
            OutputStream out = flood.getOutputStream();
            byte[] chunk = new byte[64 * 1024];
            new java.util.Random(3).nextBytes(chunk);
            chunk[0] = 0x16;
            chunk[1] = 0x03;
            chunk[2] = 0x01;
            chunk[3] = (byte) 0xff;
            chunk[4] = (byte) 0xff;
            boolean cut = false;
            for (int i = 0; i < 1000 && !cut; i++) { // up to 64 MB
                try {
                    out.write(chunk);
                } catch (IOException resetByServer) {
                    cut = true;
                }
            }
            assertTrue(cut, "the server cut the flood off");
            assertEquals(1, server.stats().connectionsFailed());
            waitFor(() -> server.stats().connectionsOpen() == 0, "the flood's connection was freed");
        }
        assertLiveObjectsReturnTo(before);
    }

    /**
     * An Error on the selector thread (here the logger's, at a refusal; out of memory in the field) stops
     * the server: its port refuses connections, the connections it held are closed and freed, and
     * {@code isRunning()} says so, with the Error logged at ERROR.
     */
    @Test
    void aSelectorThreadThatDiesClosesThePortAndFreesItsConnections() throws Exception {
        OpenSsl.LiveObjects before = settledLiveObjects();
        AtomicBoolean failedOnce = new AtomicBoolean();
        System.Logger failing = new System.Logger() {
            @Override
            public String getName() {
                return "failing";
            }

            @Override
            public boolean isLoggable(Level level) {
                return true;
            }

            @Override
            public void log(Level level, java.util.ResourceBundle bundle, String message, Throwable thrown) {
                logger.log(level, bundle, message, thrown);
                if (message.contains("refused") && failedOnce.compareAndSet(false, true)) {
                    throw new OutOfMemoryError("the test's logger fails on the selector thread");
                }
            }

            @Override
            public void log(Level level, java.util.ResourceBundle bundle, String format, Object... params) {
                logger.log(level, bundle, format, params);
                if (format.contains("refused") && failedOnce.compareAndSet(false, true)) {
                    throw new OutOfMemoryError("the test's logger fails on the selector thread");
                }
            }
        };
        try (TlsServer server = server(TlsServerHostileTest::echo).maxPerClient(1).logger(failing).build();
             TlsClient client = new TlsClient(clientContext, Duration.ofSeconds(10))) {
            assertTrue(server.isRunning());
            try (TlsConnection waiting = client.connect("127.0.0.1", server.port())) {
                waitFor(() -> server.stats().handshakes() == 1, "the first connection waits for its request");
                try (Socket refused = connect("127.0.0.1", server.port())) {
                    waitFor(() -> !server.isRunning(), "the server reports that it stopped");
                }
                waitFor(() -> refuses(server.port()), "the port is closed");
                waitFor(() -> server.stats().connectionsOpen() == 0, "the waiting connection was freed");
                assertThrows(Exception.class, () -> { // unexpected EOF: the server closed the socket
                    if (waiting.read(new byte[16]) < 0) {
                        throw new java.io.EOFException("closed");
                    }
                });
            }
            assertTrue(logger.entries.stream().anyMatch(entry -> entry.level() == System.Logger.Level.ERROR
                    && entry.thrown() instanceof OutOfMemoryError), "the Error was logged");
        }
        assertLiveObjectsReturnTo(before);
    }

    /**
     * Twice as many peers as workers finish their handshake and then trickle one request record a byte
     * every 100 ms: each holds a worker at most one read timeout, so a good client is still answered.
     * Every peer here is 127.0.0.1: the per-address cap is off, so that they do hold every worker
     * (the cap is WorkersPerClientTest's).
     */
    @Test
    void peersTricklingARecordDoNotLockOutAGoodClient() throws Exception {
        int workers = 2;
        try (TlsServer server = server(TlsServerHostileTest::echo).workers(workers).maxWorkersPerClient(workers)
                .readTimeout(Duration.ofMillis(700)).build();
             TlsClient client = new TlsClient(clientContext, Duration.ofSeconds(8))) {
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> tricklers = new ArrayList<>();
            CountDownLatch started = new CountDownLatch(2 * workers);
            for (int i = 0; i < 2 * workers; i++) {
                Thread trickler = new Thread(() -> trickleARecord(server.port(), started, stop));
                trickler.setDaemon(true);
                trickler.start();
                tricklers.add(trickler);
            }
            try {
                assertTrue(started.await(10, TimeUnit.SECONDS), "the trickling peers began their records");
                Thread.sleep(300); // their first bytes reach the workers
                long start = System.nanoTime();
                assertEquals("hello", roundTrip(client, server.port(), "hello"));
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(millis < 5_000, "the good client waited " + millis + " ms");
                waitFor(() -> server.stats().connectionsFailed() >= 2 * workers, "every trickling peer was timed out");
            } finally {
                stop.set(true);
                for (Thread trickler : tricklers) {
                    trickler.join(5_000);
                }
            }
        }
    }

    /** Completes a handshake through our own client, then sends one application record a byte at a time. */
    private static void trickleARecord(int port, CountDownLatch started, AtomicBoolean stop) {
        io.github.ossltickets.Ssl ssl = clientContext.newSsl();
        try (ssl; Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5_000);
            io.github.ossltickets.NetworkBio network = ssl.attachNetworkBio(0);
            byte[] buffer = new byte[17 * 1024];
            OutputStream out = socket.getOutputStream();
            while (true) {
                boolean finished = ssl.handshake();
                for (int n; (n = network.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                }
                if (finished) {
                    break;
                }
                int n = socket.getInputStream().read(buffer, 0, Math.min(buffer.length, network.room()));
                if (n < 0) {
                    return;
                }
                network.write(buffer, n);
            }
            ssl.write(new byte[2000]);
            int length = network.read(buffer);
            started.countDown();
            for (int i = 0; i < length - 1 && !stop.get(); i++) {
                out.write(buffer[i]);
                Thread.sleep(100);
            }
        } catch (IOException | InterruptedException | RuntimeException peerCutOff) {
            // the server closed the connection: what it should do
        }
    }

    private static Socket connect(String from, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(from, 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static boolean refuses(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException other) {
            throw new java.io.UncheckedIOException(other);
        }
    }

    static long openDescriptors() throws IOException {
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.count();
        }
    }

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        for (int i = 0; i < 500 && !condition.getAsBoolean(); i++) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean(), what);
    }

    /**
     * The live connections and BIOs, what a server makes per connection, once garbage that earlier tests
     * in this JVM left to the collector is gone.
     */
    static OpenSsl.LiveObjects settledLiveObjects() throws InterruptedException {
        OpenSsl.LiveObjects previous = null;
        for (int i = 0; i < 20 && !OpenSsl.liveObjects().equals(previous); i++) {
            previous = OpenSsl.liveObjects();
            System.gc();
            Thread.sleep(50);
        }
        return OpenSsl.liveObjects();
    }

    static void assertLiveObjectsReturnTo(OpenSsl.LiveObjects before) throws InterruptedException {
        // At most as many as before: the GC may free meanwhile what earlier tests left behind.
        for (int i = 0; i < 50 && !atMost(OpenSsl.liveObjects(), before); i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertTrue(atMost(OpenSsl.liveObjects(), before), "every connection and BIO freed: "
                + serverObjects(before) + " before, " + serverObjects(OpenSsl.liveObjects()) + " now");
    }

    private static boolean atMost(OpenSsl.LiveObjects now, OpenSsl.LiveObjects before) {
        return now.connections() <= before.connections() && now.networkBios() <= before.networkBios();
    }

    private static String serverObjects(OpenSsl.LiveObjects objects) {
        return "connections=" + objects.connections() + ", networkBios=" + objects.networkBios();
    }
}
