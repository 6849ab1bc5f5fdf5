package io.github.ossltickets.policy;

import io.github.ossltickets.SslContext;
import io.github.ossltickets.SslSession;
import io.github.ossltickets.TicketKey;
import io.github.ossltickets.TlsVersion;
import io.github.ossltickets.keys.KeySet;
import io.github.ossltickets.keys.TicketKeyRing;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A ticket binding configured at the edges, through real handshakes. */
@Timeout(60)
class HostileBindingTest {

    /**
     * "No age limit" written the JDK's way, {@code ChronoUnit.FOREVER.getDuration()} (and an unbounded
     * clock skew), is accepted by the builder; it must then let a fresh ticket resume, not overflow on
     * every resumption and turn each into a full handshake.
     */
    @ParameterizedTest
    @EnumSource(value = TlsVersion.class, names = {"TLS1_2", "TLS1_3"})
    void anUnboundedMaxAgeOrClockSkewStillResumes(TlsVersion version) {
        for (boolean unboundedAge : new boolean[] {true, false}) {
            TicketBinding.Builder builder = TicketBinding.builder().listenerId("x");
            TicketBinding binding = unboundedAge ? builder.maxAge(ChronoUnit.FOREVER.getDuration()).build()
                    : builder.maxClockSkew(ChronoUnit.FOREVER.getDuration()).build();
            SslContext server = Peers.server(Peers.X, version);
            server.setTicketKeyCallback(TicketKeyRing.of(KeySet.of(TicketKey.random())));
            binding.install(server);
            List<Throwable> failures = new ArrayList<>();
            server.setCallbackFailureListener(failures::add);
            SslContext client = Peers.client(version, "h2");
            SslSession ticket = Peers.ticket(server, client, "x.example");
            Peers.Outcome again = Peers.connect(server, client, "x.example", ticket);
            assertTrue(again.ok(), String.valueOf(again.failure()));
            assertTrue(again.reused() && failures.isEmpty(), (unboundedAge ? "maxAge" : "maxClockSkew")
                    + " of FOREVER: reused " + again.reused() + ", callback failures " + failures);
            assertEquals(1, binding.stats().accepted());
        }
    }
}
