package io.github.ossltickets.netty;

import io.github.ossltickets.OpenSsl;
import io.github.ossltickets.SslContext;
import io.github.ossltickets.TicketKeyCallback;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.ReferenceCountUtil;

import javax.net.ssl.SSLEngine;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Ticket callbacks on a Netty server context built with {@code SslProvider.OPENSSL}, whose
 * netty-tcnative is linked to the same {@code libssl.so.3} as this library (the dynamically linked
 * {@code netty-tcnative}, which needs OpenSSL 3.2+; never {@code netty-tcnative-boringssl-static}).
 *
 * <pre>{@code
 * SslContext tickets = NettyTickets.attach(nettyContext, context -> context.setTicketCallbacks(generator, decryptor));
 * }</pre>
 *
 * <p>Netty sets {@code SSL_OP_NO_TICKET} on its contexts and clears it on each connection that may use
 * TLS 1.3. A server limited to TLS 1.2 therefore resumes through Netty's session cache and never calls
 * the ticket callbacks. {@link WhenTicketsOff#WARN} says so; {@link WhenTicketsOff#ENABLE} turns tickets
 * on for the context and Netty's server session cache off.
 */
public final class NettyTickets {
    private static final System.Logger LOG = System.getLogger(NettyTickets.class.getName());

    /** What {@link #attach} does when tickets would not reach the callbacks. */
    public enum WhenTicketsOff {
        /** Log a warning and leave the context as Netty made it. */
        WARN,
        /** Clear {@code SSL_OP_NO_TICKET} on the context and turn Netty's server session cache off. */
        ENABLE
    }

    private NettyTickets() {
    }

    /** {@link #attach(io.netty.handler.ssl.SslContext, Consumer, WhenTicketsOff)} with {@link WhenTicketsOff#WARN}. */
    public static SslContext attach(io.netty.handler.ssl.SslContext nettyContext, Consumer<SslContext> installer) {
        return attach(nettyContext, installer, WhenTicketsOff.WARN);
    }

    /**
     * {@link #attach(io.netty.handler.ssl.SslContext, Consumer, WhenTicketsOff)} with {@code keys} as the
     * context's ticket key callback ({@link SslContext#setTicketKeyCallback}): a
     * {@link io.github.ossltickets.keys.TicketKeyRing} gives Netty keys that rotate and are shared across
     * a fleet, where tcnative's {@code SessionTicketKey} takes AES-128 keys replaced by hand.
     */
    public static SslContext attach(io.netty.handler.ssl.SslContext nettyContext, TicketKeyCallback keys,
                                    WhenTicketsOff whenTicketsOff) {
        Objects.requireNonNull(keys, "keys");
        return attach(nettyContext, context -> context.setTicketKeyCallback(keys), whenTicketsOff);
    }

    /**
     * Borrows the context's {@code SSL_CTX} ({@link ReferenceCountedOpenSslContext#sslCtxPointer()},
     * never the deprecated {@code context()}, which is tcnative's own struct) and runs {@code installer}
     * on it. The returned handle keeps its own reference to the {@code SSL_CTX}; close it to remove the
     * callbacks. Dropping it without closing leaves them installed.
     *
     * @throws IllegalArgumentException if the context is not OpenSSL-backed, is a client context, or its
     *     library is not the libssl this library uses (BoringSSL, another OpenSSL): nothing is installed
     * @throws IllegalStateException if the Netty context was released
     */
    public static SslContext attach(io.netty.handler.ssl.SslContext nettyContext, Consumer<SslContext> installer,
                                    WhenTicketsOff whenTicketsOff) {
        Objects.requireNonNull(nettyContext, "nettyContext");
        Objects.requireNonNull(installer, "installer");
        Objects.requireNonNull(whenTicketsOff, "whenTicketsOff");
        if (!(nettyContext instanceof ReferenceCountedOpenSslContext)) {
            throw new IllegalArgumentException("the Netty context is a " + nettyContext.getClass().getSimpleName()
                    + ", not OpenSSL-backed: build it with SslProvider.OPENSSL (or OPENSSL_REFCNT)");
        }
        if (!nettyContext.isServer()) {
            throw new IllegalArgumentException("the Netty context is a client context: ticket callbacks run on servers");
        }
        ReferenceCountedOpenSslContext openSslContext = (ReferenceCountedOpenSslContext) nettyContext;
        try {
            openSslContext.retain(); // Netty frees the SSL_CTX on its last release: not while we borrow it
        } catch (IllegalReferenceCountException released) {
            throw new IllegalStateException("the Netty context was released: its SSL_CTX is gone", released);
        }
        try {
            return borrowAndInstall(openSslContext, installer, whenTicketsOff);
        } finally {
            openSslContext.release();
        }
    }

    private static SslContext borrowAndInstall(ReferenceCountedOpenSslContext openSslContext,
                                               Consumer<SslContext> installer, WhenTicketsOff whenTicketsOff) {
        String theirs = io.netty.handler.ssl.OpenSsl.versionString();
        String ours = OpenSsl.version();
        if (!ours.equals(theirs)) {
            // BoringSSL (netty-tcnative-boringssl-static) or another OpenSSL: its SSL_CTX is not ours to touch.
            throw new IllegalArgumentException("Netty's tcnative uses " + theirs + ", not the " + ours
                    + " this library loaded: use the dynamically linked io.netty:netty-tcnative (linux-x86_64),"
                    + " not netty-tcnative-boringssl-static");
        }
        SslContext context = SslContext.borrow(openSslContext.sslCtxPointer()); // checks the SSL_CTX's method too
        try {
            installer.accept(context);
            if (!ticketsReachCallbacks(openSslContext, context)) {
                if (whenTicketsOff == WhenTicketsOff.ENABLE) {
                    context.clearOptions(SslContext.OP_NO_TICKET);
                    openSslContext.sessionContext().setSessionCacheEnabled(false);
                } else {
                    LOG.log(System.Logger.Level.WARNING, "this Netty context allows no TLS 1.3 and has"
                            + " SSL_OP_NO_TICKET set: it resumes through Netty's session cache, and the ticket"
                            + " callbacks never run. Pass WhenTicketsOff.ENABLE to use tickets.");
                }
            }
            return context;
        } catch (RuntimeException | Error e) {
            context.close();
            throw e;
        }
    }

    /**
     * Whether the context's connections send tickets: the context has no {@code SSL_OP_NO_TICKET}, or
     * Netty clears it per connection, which it does when TLS 1.3 is enabled (and the JDK's
     * {@code jdk.tls.server.enableSessionTicketExtension} is not false).
     */
    static boolean ticketsReachCallbacks(ReferenceCountedOpenSslContext nettyContext, SslContext context) {
        if (context.ticketsEffective()) {
            return true;
        }
        SSLEngine probe = nettyContext.newEngine(ByteBufAllocator.DEFAULT);
        try {
            boolean tls13 = Arrays.asList(probe.getEnabledProtocols()).contains("TLSv1.3");
            return tls13 && Boolean.parseBoolean(System.getProperty("jdk.tls.server.enableSessionTicketExtension", "true"));
        } finally {
            ReferenceCountUtil.release(probe);
        }
    }
}
