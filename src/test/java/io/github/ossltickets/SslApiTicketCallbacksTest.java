package io.github.ossltickets;

import com.sun.jna.Pointer;
import io.github.ossltickets.ffi.LegacyTicketKeys;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.github.ossltickets.ffi.Raw.OPENSSL;

/**
 * A port of OpenSSL's own {@code test_ticket_callbacks} (test/sslapitest.c, 20 cases), with the same
 * expected values: was the session reused, and were the generate and decrypt callbacks called on the
 * second connection. Cases 8–13 use the deprecated HMAC_CTX key callback through the raw mapping, as
 * OpenSSL's test does; cases 14–19 use the EVP key callback through {@link TicketKeyCallback}.
 *
 * <pre>
 * tst % 2: 0 = TLSv1.2, 1 = TLSv1.3.    0–7: no key callback; dec returns IGNORE, IGNORE_RENEW, USE, USE_RENEW
 * 8–13: legacy key callback, 14–19: EVP key callback; renew 0 (8,9,14,15), 1 (10,11,16,17), -1 = no ticket (12,13,18,19)
 * </pre>
 */
class SslApiTicketCallbacksTest {
    private static final byte[] APP_DATA = Tls.utf8("Hello World");
    private static final byte[] TICK_KEY = Tls.utf8("0123456789abcdef"); // both AES-128 and HMAC, as in C

    private int genTickCalled;
    private int decTickCalled;
    private boolean tickKeyCbCalled;
    private int tickKeyRenew;
    private TicketReturn tickDecRet;

    @ParameterizedTest(name = "test_ticket_callbacks {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19})
    void ticketCallbacks(int tst) {
        tickKeyRenew = (tst == 10 || tst == 11 || tst == 16 || tst == 17) ? 1
                : (tst == 12 || tst == 13 || tst == 18 || tst == 19) ? -1 : 0;
        switch (tst) {
            case 0: case 1: tickDecRet = TicketReturn.IGNORE; break;
            case 2: case 3: tickDecRet = TicketReturn.IGNORE_RENEW; break;
            case 4: case 5: tickDecRet = TicketReturn.USE; break;
            case 6: case 7: tickDecRet = TicketReturn.USE_RENEW; break;
            default: tickDecRet = TicketReturn.ABORT;
        }
        TlsVersion max = tst % 2 == 0 ? TlsVersion.TLS1_2 : TlsVersion.TLS1_3;
        try (SslContext server = SslContext.forServer()
                .certificate(Tls.CERTIFICATE.certificatePem(), Tls.CERTIFICATE.privateKeyPem())
                .protocols(TlsVersion.TLS1_2, max).serverSessionCache(false).build();
             SslContext client = SslContext.forClient().protocols(TlsVersion.TLS1_2, max).build()) {
            server.setTicketCallbacks(this::genTickCb, this::decTickCb);
            LegacyTicketKeys.TicketKeyCallback legacy = this::tickKeyCb; // held here for the whole test: OpenSSL keeps only a pointer
            if (tst >= 14) {
                server.setTicketKeyCallback(evpKeyCallback());
            } else if (tst >= 8) {
                assertEquals(1, LegacyTicketKeys.SSL_CTX_set_tlsext_ticket_key_cb(server.address(), legacy));
            }

            Tls.Outcome first = Tls.connect(server, client, null);
            assertTrue(first.ok(), () -> "first connection: " + first);
            // TLS 1.2 calls dec with SSL_TICKET_EMPTY on the first connection; TLS 1.3 sends no empty ticket.
            assertEquals(1, Math.min(genTickCalled, 1), "gen_tick_called on the first connection");
            assertEquals(tst % 2 == 0 ? 1 : 0, Math.min(decTickCalled, 1), "dec_tick_called on the first connection");
            genTickCalled = 0;
            decTickCalled = 0;

            Tls.Outcome second = Tls.connect(server, client, first.session);
            assertTrue(second.ok(), () -> "resumption: " + second);
            boolean expectReused = !(tickDecRet == TicketReturn.IGNORE || tickDecRet == TicketReturn.IGNORE_RENEW
                    || tickKeyRenew == -1);
            assertEquals(expectReused, second.reused, "SSL_session_reused");
            boolean expectGen = tickKeyRenew != 0 || tickDecRet == TicketReturn.IGNORE_RENEW
                    || tickDecRet == TicketReturn.USE_RENEW;
            assertEquals(expectGen ? 1 : 0, Math.min(genTickCalled, 1), "gen_tick_called on the resumption");
            assertEquals(tst == 13 || tst == 19 ? 0 : 1, Math.min(decTickCalled, 1), "dec_tick_called on the resumption");
            first.session.close();
            if (second.session != null) {
                second.session.close();
            }
            // The raw callback must outlive every handshake that could call it.
            java.lang.ref.Reference.reachabilityFence(legacy);
        }
    }

    private boolean genTickCb(Ssl ssl, SslSession session) {
        genTickCalled++;
        session.setTicketAppData(APP_DATA);
        return true;
    }

    private TicketReturn decTickCb(Ssl ssl, Optional<SslSession> session, byte[] keyName, TicketStatus status) {
        decTickCalled++;
        if (status == TicketStatus.EMPTY) {
            return TicketReturn.IGNORE_RENEW;
        }
        if (!status.isSuccess()) {
            return TicketReturn.ABORT;
        }
        assertArrayEquals(APP_DATA, session.orElseThrow().ticketAppData());
        if (tickKeyCbCalled) {
            // Don't change what the ticket key callback wanted to do
            return status == TicketStatus.SUCCESS ? TicketReturn.USE : TicketReturn.USE_RENEW;
        }
        return tickDecRet;
    }

    /** OpenSSL's tick_key_cb: the deprecated HMAC_CTX callback, zero key name and IV, AES-128-CBC. */
    private int tickKeyCb(long s, Pointer keyName, Pointer iv, long ctx, long hctx, int enc) {
        tickKeyCbCalled = true;
        if (tickKeyRenew == -1) {
            return 0;
        }
        iv.write(0, new byte[16], 0, 16);
        keyName.write(0, new byte[16], 0, 16);
        if (OPENSSL.EVP_CipherInit_ex(ctx, OPENSSL.EVP_aes_128_cbc(), 0, TICK_KEY, Pointer.nativeValue(iv), enc) != 1
                || LegacyTicketKeys.HMAC_Init_ex(hctx, TICK_KEY, TICK_KEY.length, OPENSSL.EVP_sha256(), null) != 1) {
            return -1;
        }
        return tickKeyRenew != 0 ? 2 : 1;
    }

    /** OpenSSL's tick_key_evp_cb, through the Java API: zero key name, AES-128-CBC, HMAC-SHA256. */
    private TicketKeyCallback evpKeyCallback() {
        TicketKey key = new TicketKey(new byte[16], TICK_KEY, TICK_KEY);
        return new TicketKeyCallback() {
            @Override
            public Optional<TicketKey> keyForNewTicket(Ssl connection) {
                tickKeyCbCalled = true;
                return tickKeyRenew == -1 ? Optional.empty() : Optional.of(key);
            }

            @Override
            public Lookup findKey(Ssl connection, byte[] keyName) {
                tickKeyCbCalled = true;
                assertArrayEquals(new byte[16], keyName, () -> "key name " + Arrays.toString(keyName));
                if (tickKeyRenew == -1) {
                    return Lookup.notFound();
                }
                return tickKeyRenew != 0 ? Lookup.useAndRenew(key) : Lookup.use(key);
            }
        };
    }
}
