package io.github.ossltickets;

import io.github.ossltickets.ffi.SslMacros;

import java.lang.ref.WeakReference;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import static io.github.ossltickets.ffi.Raw.OPENSSL;

/**
 * The Java side of one native {@code SSL_CTX}: the callback objects OpenSSL calls (defined in
 * {@link NativeCallbacks}), what they delegate to, and where their failures go. It lives exactly as
 * long as the native context, whoever holds it.
 *
 * <ul>
 * <li>Each native context we touch gets an id in its ex_data slot; {@link #LIVE} maps the id to this
 * object. OpenSSL calls {@link NativeCallbacks#CONTEXT_FREED}, and so {@link #contextFreed}, when it
 * frees the context (its last reference, ours or another library's), and only then is the entry
 * dropped. A Java handle that is closed or collected changes nothing here (only an explicit close of a
 * borrowed handle removes what that handle installed), so OpenSSL never calls a collected callback.</li>
 * <li>Who keeps this object reachable: while only our own handles can make OpenSSL call it (a context
 * we made, whose address nobody else was given), the handle and each {@link Ssl} made from it do, and
 * the registry holds it weakly. Callbacks may then capture their own context's handle: when the handle
 * and its connections are dropped, all of it is collected and the handle's Cleaner frees the context.
 * Once another owner may drive it (a borrowed context, or an {@code address()} handed out), the
 * registry {@linkplain #pin() pins} it until OpenSSL frees the context. A borrowed handle holds no
 * reference of its own (it is a {@linkplain NativeRef#view view} that the free ends), so callbacks that
 * capture it form no cycle through the native context either.</li>
 * <li>There is one bridge per kind for the whole life of the context. Installing new callbacks writes
 * a {@code volatile} field: nothing piles up, and a handshake on another thread sees the old or the
 * new callbacks, never a freed one.</li>
 * </ul>
 * See docs/openssl-behaviour.md#lifetimes-openssl-imposes.
 */
final class ContextCallbacks {
    private static final System.Logger LOG = System.getLogger("io.github.ossltickets");
    private static final Consumer<Throwable> LOG_IT = failure -> LOG.log(System.Logger.Level.WARNING,
            "a session-ticket callback failed and its fallback went to OpenSSL", failure);

    /** Every native context we have touched and OpenSSL has not freed yet, by the id in its ex_data. */
    private static final Map<Long, WeakReference<ContextCallbacks>> LIVE = new ConcurrentHashMap<>();
    /** The pinned ones: held strongly until OpenSSL frees the context. */
    private static final Map<Long, ContextCallbacks> PINNED = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    private static final int EX_INDEX = newExIndex();

    /** What the ticket bridges delegate to; {@code installedBy} is the handle whose call installed them. */
    record Tickets(TicketGenerator generator, TicketDecryptor decryptor, TicketReturn fallback, Object installedBy) {}

    /** What the key bridge delegates to. */
    record Keys(TicketKeyCallback callback, Object installedBy) {}

    /** What the ClientHello bridge delegates to. */
    record ClientHellos(ClientHelloCallback callback, Object installedBy) {}

    final NativeCallbacks.Generate generate = new NativeCallbacks.Generate(this);
    final NativeCallbacks.Decrypt decrypt = new NativeCallbacks.Decrypt(this);
    final NativeCallbacks.Key key = new NativeCallbacks.Key(this);
    final NativeCallbacks.ClientHelloBridge clientHello = new NativeCallbacks.ClientHelloBridge(this);
    /** Set once by the builder of a context we made; kept here so that it lives as long as the context. */
    volatile NativeCallbacks.AlpnSelect alpnSelect;
    /** Null when none are installed; a bridge called during a removal then does what OpenSSL does without it. */
    volatile Tickets tickets;
    volatile Keys keys;
    volatile ClientHellos clientHellos;
    volatile Consumer<Throwable> failureListener = LOG_IT;

    // What the bridges did, for SslContext.ticketStats(): one uncontended increment per event.
    final LongAdder generated = new LongAdder();
    final LongAdder failures = new LongAdder();
    private final LongAdder[] byStatus = adders(TicketStatus.values().length);
    private final LongAdder[] byReturn = adders(TicketReturn.values().length);
    /** What the key bridge did, by key name, for SslContext.ticketKeyStats(). */
    final KeyCounters keyCounters = new KeyCounters();

    private final long id;
    /** Borrowed handles' views of the context, ended when OpenSSL frees it. */
    private final Set<NativeRef> views = ConcurrentHashMap.newKeySet();

    private ContextCallbacks(long id) {
        this.id = id;
    }

    private static int newExIndex() {
        OpenSsl.ensureLoaded();
        int index = SslMacros.SSL_CTX_get_ex_new_index(0, 0, 0, 0, NativeCallbacks.CONTEXT_FREED);
        if (index < 0) {
            throw OpenSslException.fromErrorQueue("SSL_CTX_get_ex_new_index failed");
        }
        return index;
    }

    /** The callbacks of the native context {@code ctx}, made on first use. The caller holds a reference to ctx. */
    static ContextCallbacks of(long ctx) {
        synchronized (LIVE) {
            long known = OPENSSL.SSL_CTX_get_ex_data(ctx, EX_INDEX);
            WeakReference<ContextCallbacks> entry = known == 0 ? null : LIVE.get(known);
            if (entry != null) {
                ContextCallbacks existing = entry.get();
                if (existing == null) {
                    // Collected: only a context whose every handle was dropped, which its Cleaner frees now.
                    throw new IllegalStateException("this SSL_CTX is being freed: its only handle was garbage"
                            + "-collected, and nobody else was given its address");
                }
                return existing;
            }
            long id = IDS.incrementAndGet();
            ContextCallbacks created = new ContextCallbacks(id);
            LIVE.put(id, new WeakReference<>(created));
            if (OPENSSL.SSL_CTX_set_ex_data(ctx, EX_INDEX, id) != 1) {
                LIVE.remove(id);
                throw OpenSslException.fromErrorQueue("SSL_CTX_set_ex_data failed");
            }
            return created;
        }
    }

    /**
     * Holds this object strongly until OpenSSL frees the context: from now on code other than our own
     * handles (another library, a borrowed context's owner) may make OpenSSL call it. Idempotent.
     */
    void pin() {
        connectionsMayFreeIt = true;
        if (LIVE.containsKey(id)) { // not if already freed
            PINNED.putIfAbsent(id, this);
        }
    }

    /**
     * True once a connection's {@code SSL_free} may drop the context's last reference: the owned
     * handle was closed, or others hold references (pinned). Until then our handle's reference keeps
     * it. (A handle dropped without close() leaves this false: the residual case StackHeadroom names.)
     */
    private volatile boolean connectionsMayFreeIt;

    boolean connectionsMayFreeIt() {
        return connectionsMayFreeIt;
    }

    void ownerHandleClosed() {
        connectionsMayFreeIt = true;
    }

    /** Registers a borrowed handle's view of the context, to end when OpenSSL frees it. */
    void addView(NativeRef view) {
        views.add(view);
    }

    /** A borrowed handle was closed: nothing left to end for it. */
    void removeView(NativeRef view) {
        views.remove(view);
    }

    /** How many contexts are pinned: never more than {@link #liveContexts()}. */
    static int pinnedContexts() {
        return PINNED.size();
    }

    /** How many native contexts we have touched that OpenSSL has not freed yet. */
    static int liveContexts() {
        return LIVE.size();
    }

    /**
     * What {@link NativeCallbacks#CONTEXT_FREED} does: OpenSSL frees a context (any context in the
     * process; most carry no id of ours, {@code ptr} being its ex_data), on whichever thread dropped its
     * last reference. Ends borrowed handles' views first: each waits for a use in progress on another
     * thread, so the memory outlives it.
     */
    static void contextFreed(long ptr) {
        if (ptr == 0) {
            return;
        }
        WeakReference<ContextCallbacks> entry = LIVE.get(ptr);
        ContextCallbacks freed = entry == null ? null : entry.get();
        if (freed != null) {
            for (NativeRef view : freed.views) {
                view.endLoan();
            }
            freed.views.clear();
            // OpenSSL can no longer call the bridges: free their FFM upcall stubs (JNA: nothing to do).
            OPENSSL.releaseUpcalls(freed.generate, freed.decrypt, freed.key, freed.clientHello, freed.alpnSelect);
        }
        PINNED.remove(ptr);
        LIVE.remove(ptr);
    }

    /** Installs ticket callbacks ({@code SSL_CTX_set_session_ticket_cb}); the bridges stay the same. */
    synchronized void install(long ctx, Tickets installed) {
        tickets = installed; // before OpenSSL can call the bridges
        if (OPENSSL.SSL_CTX_set_session_ticket_cb(ctx, generate, decrypt, 0) != 1) {
            tickets = null;
            throw OpenSslException.fromErrorQueue("SSL_CTX_set_session_ticket_cb failed");
        }
    }

    /** Installs a ticket key callback ({@code SSL_CTX_set_tlsext_ticket_key_evp_cb}). */
    synchronized void install(long ctx, Keys installed) {
        keys = installed;
        if (OPENSSL.SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, key) != 1) {
            keys = null;
            throw OpenSslException.fromErrorQueue("SSL_CTX_set_tlsext_ticket_key_evp_cb failed");
        }
    }

    /** Installs a ClientHello callback ({@code SSL_CTX_set_client_hello_cb}); the bridge stays the same. */
    synchronized void install(long ctx, ClientHellos installed) {
        clientHellos = installed;
        OPENSSL.SSL_CTX_set_client_hello_cb(ctx, clientHello, 0);
    }

    /** Removes the ClientHello callback if {@code by} installed the one in place, or if {@code by} is null. */
    synchronized void removeClientHello(long ctx, Object by) {
        ClientHellos current = clientHellos;
        if (current != null && (by == null || current.installedBy() == by)) {
            OPENSSL.SSL_CTX_set_client_hello_cb(ctx, null, 0);
            clientHellos = null;
        }
    }

    /** Installs the server's ALPN choice ({@code SSL_CTX_set_alpn_select_cb}). */
    synchronized void install(long ctx, NativeCallbacks.AlpnSelect select) {
        alpnSelect = select;
        OPENSSL.SSL_CTX_set_alpn_select_cb(ctx, select, 0);
    }

    /** Removes the ticket callbacks if {@code by} installed the ones in place, or if {@code by} is null. */
    synchronized void removeTickets(long ctx, Object by) {
        Tickets current = tickets;
        if (current != null && (by == null || current.installedBy() == by)) {
            OPENSSL.SSL_CTX_set_session_ticket_cb(ctx, null, null, 0);
            tickets = null;
        }
    }

    /** Removes the key callback if {@code by} installed the one in place, or if {@code by} is null. */
    synchronized void removeKeys(long ctx, Object by) {
        Keys current = keys;
        if (current != null && (by == null || current.installedBy() == by)) {
            OPENSSL.SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, null);
            keys = null;
        }
    }

    private static LongAdder[] adders(int count) {
        LongAdder[] adders = new LongAdder[count];
        for (int i = 0; i < count; i++) {
            adders[i] = new LongAdder();
        }
        return adders;
    }

    void countDecrypt(TicketStatus status) {
        byStatus[status.ordinal()].increment();
    }

    /** Counts what the decrypt bridge returns, by its C code (0 to 4, as {@link TicketReturn} orders them). */
    int countReturn(int code) {
        if (code >= 0 && code < byReturn.length) {
            byReturn[code].increment();
        }
        return code;
    }

    TicketStats stats() {
        Map<TicketStatus, Long> statuses = new EnumMap<>(TicketStatus.class);
        for (TicketStatus status : TicketStatus.values()) {
            statuses.put(status, byStatus[status.ordinal()].sum());
        }
        Map<TicketReturn, Long> returns = new EnumMap<>(TicketReturn.class);
        for (TicketReturn value : TicketReturn.values()) {
            returns.put(value, byReturn[value.code()].sum());
        }
        return new TicketStats(generated.sum(), statuses, returns, failures.sum());
    }

    TicketKeyStats keyStats() {
        return keyCounters.stats();
    }

    /** Hands a failure that no Java call will rethrow to the listener; a listener that throws is ignored. */
    void report(Throwable failure) {
        try {
            failureListener.accept(failure);
        } catch (Throwable ignored) {
            // A listener that throws must not turn a handled failure into a crash.
        }
    }
}
