package io.github.ossltickets;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One server context, four threads handshaking at once, 500 resumptions in all (TLS 1.2 and 1.3 in
 * turn), each ticket with its own app data: every resumption must read back exactly its own.
 */
class ConcurrencyTest {
    private static final int THREADS = 4;
    private static final int RESUMPTIONS_PER_THREAD = 125;

    @Test
    void everyResumptionReadsItsOwnTicketsAppData() throws Exception {
        ThreadLocal<String> issuedOnThisThread = new ThreadLocal<>();
        ThreadLocal<String> readOnThisThread = new ThreadLocal<>();
        AtomicInteger serial = new AtomicInteger();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicInteger verified = new AtomicInteger();

        try (SslContext server = SslContext.forServer()
                .certificate(Tls.CERTIFICATE.certificatePem(), Tls.CERTIFICATE.privateKeyPem())
                .protocols(TlsVersion.TLS1_2, TlsVersion.TLS1_3).serverSessionCache(false).numTickets(1).build();
             SslContext client12 = Tls.client(TlsVersion.TLS1_2);
             SslContext client13 = Tls.client(TlsVersion.TLS1_3)) {
            server.setTicketCallbacks((ssl, session) -> {
                String appData = Thread.currentThread().getName() + "#" + serial.incrementAndGet();
                session.setTicketAppData(Tls.utf8(appData));
                issuedOnThisThread.set(appData);
                return true;
            }, (ssl, session, keyName, status) -> {
                session.ifPresent(s -> readOnThisThread.set(Tls.text(s.ticketAppData())));
                return TicketReturn.defaultFor(status);
            });

            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<?>> workers = new java.util.ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    workers.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < RESUMPTIONS_PER_THREAD; i++) {
                            SslContext client = i % 2 == 0 ? client12 : client13;
                            SslSession ticket = Tls.firstSession(server, client);
                            String issued = issuedOnThisThread.get();
                            readOnThisThread.remove();
                            Tls.Outcome resumed = Tls.connect(server, client, ticket);
                            String read = readOnThisThread.get();
                            if (!resumed.ok() || !resumed.reused) {
                                problems.add("not resumed: " + resumed);
                            } else if (!issued.equals(read)) {
                                problems.add("issued " + issued + " but read " + read);
                            } else {
                                verified.incrementAndGet();
                            }
                            ticket.close();
                            resumed.session.close();
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> worker : workers) {
                    worker.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        assertEquals(List.of(), List.copyOf(problems));
        assertEquals(THREADS * RESUMPTIONS_PER_THREAD, verified.get());
        // Per thread: a TLS 1.2 round issues 1 ticket (full handshake; USE on resumption renews nothing),
        // a TLS 1.3 round issues 2 (num_tickets 1 on the full handshake, 1 renewal with USE_RENEW).
        int tls12Rounds = (RESUMPTIONS_PER_THREAD + 1) / 2;
        int tls13Rounds = RESUMPTIONS_PER_THREAD / 2;
        assertEquals(THREADS * (tls12Rounds + 2 * tls13Rounds), serial.get(), "generator calls");
    }
}
