package io.github.ossltickets.tomcat;

import io.github.ossltickets.SslContext;
import io.github.ossltickets.TicketKeyCallback;
import io.github.ossltickets.policy.TicketBinding;
import org.apache.catalina.LifecycleEvent;
import org.apache.catalina.LifecycleListener;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.apache.tomcat.util.net.SSLUtil;
import org.apache.tomcat.util.net.openssl.panama.OpenSSLContext;
import org.apache.tomcat.util.net.openssl.panama.OpenSSLImplementation;
import org.apache.tomcat.util.net.openssl.panama.OpenSSLUtil;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import java.lang.ref.WeakReference;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Ticket callbacks on a Tomcat 11 connector that terminates TLS with Tomcat's FFM OpenSSL
 * ({@code org.apache.tomcat.util.net.openssl.panama}, Java 22+), which calls the same
 * {@code libssl.so.3} as this library.
 *
 * <pre>{@code
 * TomcatTickets.attach(connector, (context, certificate) -> context.setTicketCallbacks(generator, decryptor));
 * }</pre>
 *
 * <p>Tomcat makes one {@code SSL_CTX} per certificate of each {@link SSLHostConfig}, and new ones on
 * every {@code reloadSslHostConfigs()}. {@link #attach} points the connector at {@link Implementation},
 * Tomcat's FFM implementation with one change: each context it makes is borrowed
 * ({@link SslContext#borrow}) and handed to the installer once Tomcat has configured it. The borrowed
 * handle lives exactly as long as Tomcat's context: it is closed by the context's {@code destroy()}, or
 * collected with it when Tomcat lets a replaced context go, as it does on reload.
 */
public final class TomcatTickets {
    /** The connector property that names its TLS implementation, and Tomcat's FFM one. */
    static final String IMPLEMENTATION_PROPERTY = "sslImplementationName";
    static final String TOMCAT_FFM = OpenSSLImplementation.class.getName();

    /** What installs the callbacks on each context Tomcat makes. */
    @FunctionalInterface
    public interface Installer {
        /**
         * Called on the thread that builds Tomcat's context, once per certificate and per reload.
         *
         * @param context Tomcat's {@code SSL_CTX}, borrowed: do not close it, Tomcat's context does
         * @param certificate the certificate (and through it the host) this context serves
         */
        void install(SslContext context, SSLHostConfigCertificate certificate);
    }

    // Tomcat makes its implementation by class name, so the installers wait here, keyed by host
    // configuration (which survives a reload); weak, so a host that is dropped takes its entry along.
    // Each entry names the connector it was attached on: one SSLHostConfig object may be added to two
    // connectors, and then only one of them may attach it. The values are weak too, since an installer
    // may use its connector, which holds the host: the connector keeps its attachment (KeepsInstaller).
    private static final Map<SSLHostConfig, WeakReference<Attachment>> INSTALLERS =
            Collections.synchronizedMap(new WeakHashMap<>());

    /** The attachment of {@code host}, or null. */
    private static Attachment attachmentOf(SSLHostConfig host) {
        WeakReference<Attachment> attachment = INSTALLERS.get(host);
        return attachment == null ? null : attachment.get();
    }

    /**
     * Keeps a connector's attachment exactly as long as the connector lives: a listener is the one
     * object of ours a connector holds. It listens to nothing.
     */
    private static final class KeepsInstaller implements LifecycleListener {
        private volatile Attachment attachment;

        @Override
        public void lifecycleEvent(LifecycleEvent event) {
        }

        static void on(Connector connector, Attachment attachment) {
            for (LifecycleListener listener : connector.findLifecycleListeners()) {
                if (listener instanceof KeepsInstaller keeps) {
                    keeps.attachment = attachment;
                    return;
                }
            }
            KeepsInstaller keeps = new KeepsInstaller();
            keeps.attachment = attachment;
            connector.addLifecycleListener(keeps);
        }
    }

    /** A host's installer and the connector it was attached on (weakly: the entry must not keep it). */
    private record Attachment(WeakReference<Connector> connector, Installer installer) {
        boolean on(Connector other) {
            return connector.get() == other;
        }
    }

    private TomcatTickets() {
    }

    /**
     * {@link #attach(Connector, Installer)} with {@code keys} as the ticket key callback of every
     * context ({@link SslContext#setTicketKeyCallback}): a {@link io.github.ossltickets.keys.TicketKeyRing}
     * gives Tomcat keys that rotate and are shared across a fleet, which Tomcat's own
     * {@code OpenSSLSessionContext.setTicketKeys} (one key, replaced whole) cannot.
     */
    public static void attach(Connector connector, TicketKeyCallback keys) {
        Objects.requireNonNull(keys, "keys");
        attach(connector, (context, certificate) -> context.setTicketKeyCallback(keys));
    }

    /**
     * {@link #attach(Connector, Installer)} with {@code keys} as the ticket key callback of every context
     * and a {@link TicketBinding} per host, so that hosts sharing the keys (a fleet's ring, or two
     * {@link SSLHostConfig}s of one connector chosen by SNI) do not resume each other's tickets:
     * {@link TicketBinding#install(SslContext)} on each context of the host, which sets its ticket
     * callbacks ({@code SSL_CTX_set_session_ticket_cb}) and ClientHello callback
     * ({@code SSL_CTX_set_client_hello_cb}).
     *
     * <pre>{@code
     * Map<String, TicketBinding> bindings = Map.of(
     *         "a.example", TicketBinding.builder().listenerId("a.example").build(),
     *         "b.example", TicketBinding.builder().listenerId("b.example").build());
     * TomcatTickets.attach(connector, ring, bindings::get);
     * }</pre>
     *
     * @param bindingForHost called for every context Tomcat makes (each certificate, each reload) with
     *     its host's name as configured ({@link SSLHostConfig#getHostName()}); return the same binding for
     *     the same host, so that its counters ({@link TicketBinding#stats()}) cover every context of it.
     *     A null binding fails that host's start, with its name, rather than serve it unbound.
     */
    public static void attach(Connector connector, TicketKeyCallback keys,
            Function<String, TicketBinding> bindingForHost) {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(bindingForHost, "bindingForHost");
        attach(connector, (context, certificate) -> {
            String host = certificate.getSSLHostConfig().getHostName();
            TicketBinding binding = bindingForHost.apply(host);
            if (binding == null) {
                throw new IllegalArgumentException("no TicketBinding for the SSLHostConfig " + host);
            }
            context.setTicketKeyCallback(keys);
            binding.install(context);
        });
    }

    /**
     * Makes {@code connector} use Tomcat's FFM OpenSSL with {@code installer} run on every context it
     * makes, for every {@link SSLHostConfig} it has now, every certificate of each, and every reload.
     * Call it after adding the host configurations and before the connector is initialised
     * ({@code init()}, which {@code start()} runs first). Called again before then (after adding another host, say), its installer replaces the earlier one for
     * every host the connector has. Once the connector has started its installer cannot change, and a
     * host added to it then is refused unless it replaces one of the same name, which keeps that host's
     * installer.
     *
     * @throws IllegalArgumentException if the connector has no host configuration, is set to a TLS
     *     implementation other than Tomcat's FFM OpenSSL (JSSE, or OpenSSL through tomcat-native), or
     *     holds an {@link SSLHostConfig} object that is attached on another connector
     * @throws IllegalStateException if the connector was initialised or started: Tomcat makes its contexts
     *     when the connector binds, at {@code init()}
     */
    public static void attach(Connector connector, Installer installer) {
        Objects.requireNonNull(connector, "connector");
        Objects.requireNonNull(installer, "installer");
        Object current = connector.getProperty(IMPLEMENTATION_PROPERTY);
        if (current != null && !current.equals(TOMCAT_FFM) && !current.equals(Implementation.class.getName())) {
            throw new IllegalArgumentException("the connector uses " + IMPLEMENTATION_PROPERTY + "=" + current
                    + "; ticket callbacks need Tomcat's FFM OpenSSL, " + TOMCAT_FFM + " (leave the property unset)");
        }
        if (connector.getState() != LifecycleState.NEW) {
            // Tomcat makes the contexts when the connector binds, which is at init() unless bindOnInit is false.
            throw new IllegalStateException("attach before the connector starts, and before its init(): it is "
                    + connector.getState() + ", and its SSL contexts may exist already");
        }
        SSLHostConfig[] hosts = connector.findSslHostConfigs();
        if (hosts.length == 0) {
            throw new IllegalArgumentException("the connector has no SSLHostConfig: add them, then attach");
        }
        synchronized (INSTALLERS) {
            for (SSLHostConfig host : hosts) {
                Attachment earlier = attachmentOf(host);
                Connector other = earlier == null ? null : earlier.connector().get();
                if (other != null && other != connector && List.of(other.findSslHostConfigs()).contains(host)) {
                    throw new IllegalArgumentException("SSLHostConfig " + host.getHostName() + " is attached on"
                            + " another connector (" + other + "), whose reloads would run this connector's"
                            + " installer: give each connector its own SSLHostConfig object");
                }
            }
            Attachment attachment = new Attachment(new WeakReference<>(connector), installer);
            KeepsInstaller.on(connector, attachment);
            for (SSLHostConfig host : hosts) {
                INSTALLERS.put(host, new WeakReference<>(attachment));
            }
        }
        if (!connector.setProperty(IMPLEMENTATION_PROPERTY, Implementation.class.getName())) {
            throw new IllegalArgumentException("the connector's protocol has no " + IMPLEMENTATION_PROPERTY
                    + ": is it an HTTP/1.1 or AJP connector with SSL?");
        }
    }

    /**
     * Tomcat's FFM {@link OpenSSLImplementation}, whose contexts get the installer of their host. Named
     * by {@link #attach}; not for direct use. A host added after {@code attach} fails to start, with a
     * message, rather than serve without callbacks, unless it replaces a host of the same name on the
     * same connector (Spring Boot before 4.0.9 replaces its {@link SSLHostConfig} on an SSL bundle
     * reload): the replacement keeps that host's installer.
     */
    public static final class Implementation extends OpenSSLImplementation {
        // Tomcat makes one Implementation per connector, at its start, and asks it for every context of
        // that connector, a host added later included: what it served, by host name, is this connector's.
        private final Map<String, Attachment> servedByHostName = new ConcurrentHashMap<>();
        // The connector this one serves: the one its first host was attached on (Tomcat starts with
        // the hosts attach saw). A host attached on another connector is never served here.
        private Connector connector;

        /** Made by Tomcat, by name. */
        public Implementation() {
        }

        @Override
        public synchronized SSLUtil getSSLUtil(SSLHostConfigCertificate certificate) {
            SSLHostConfig host = certificate.getSSLHostConfig();
            String hostName = host.getHostName().toLowerCase(Locale.ROOT);
            Attachment attached = attachmentOf(host);
            if (attached != null && connector == null) {
                connector = attached.connector().get();
            }
            // Not attached here: a replacement of a host this connector serves, or refused.
            Attachment attachment = attached != null && attached.on(connector) ? attached : servedByHostName.get(hostName);
            if (attachment == null) {
                throw new IllegalStateException("SSLHostConfig " + host.getHostName() + (attached != null
                        ? " is attached on another connector, not this one: give each connector its own SSLHostConfig"
                        : " was added after TomcatTickets.attach, which did not see it: add every SSLHostConfig"
                        + " before attach and the connector's start, or reuse a host name: a host replacing one"
                        + " of the same name keeps its installer"));
            }
            if (attached == null) {
                INSTALLERS.put(host, new WeakReference<>(attachment));
            }
            servedByHostName.put(hostName, attachment);
            return new Util(certificate, attachment.installer());
        }
    }

    private static final class Util extends OpenSSLUtil {
        private final Installer installer;

        Util(SSLHostConfigCertificate certificate, Installer installer) {
            super(certificate);
            this.installer = installer;
        }

        @Override
        public org.apache.tomcat.util.net.SSLContext createSSLContextInternal(List<String> negotiableProtocols)
                throws SSLException {
            return new Context(certificate, negotiableProtocols, installer);
        }
    }

    /** Tomcat's context, plus our borrowed handle on its {@code SSL_CTX}, which lives as long as it does. */
    private static final class Context extends OpenSSLContext {
        private final SSLHostConfigCertificate certificate;
        private final Installer installer;
        private volatile SslContext borrowed;

        Context(SSLHostConfigCertificate certificate, List<String> negotiableProtocols, Installer installer)
                throws SSLException {
            super(certificate, negotiableProtocols);
            this.certificate = certificate;
            this.installer = installer;
        }

        /** Tomcat configures the context here (options, certificate, ...); the callbacks go on last. */
        @Override
        public void init(KeyManager[] kms, TrustManager[] tms, SecureRandom sr) throws KeyManagementException {
            super.init(kms, tms, sr);
            SslContext context = SslContext.borrow(getSSLContext().address());
            try {
                installer.install(context, certificate);
            } catch (RuntimeException | Error e) {
                context.close(); // removes whatever the installer put in place
                throw new KeyManagementException("the TomcatTickets installer failed for the " + certificate.getType()
                        + " certificate of " + certificate.getSSLHostConfig().getHostName() + ": " + e, e);
            }
            if (!context.isOpen()) { // closing a borrowed handle removed what the installer put in place
                throw new KeyManagementException("the TomcatTickets installer closed the SslContext it was handed,"
                        + " for the " + certificate.getType() + " certificate of " + certificate.getSSLHostConfig()
                        .getHostName() + ", which removed its callbacks: do not close it, Tomcat's context does");
            }
            borrowed = context;
        }

        @Override
        public void destroy() {
            SslContext context = borrowed;
            if (context != null) {
                context.close();
            }
            super.destroy();
        }
    }
}
