package io.github.ossltickets;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;

/**
 * The native pointer behind one handle ({@link SslContext}, {@link Ssl}, {@link SslSession}), and who
 * is using it right now. It is the piece the three handles share.
 *
 * <p>Every native use sits between {@link #acquire()} and {@link #release()}. A close, or the
 * Cleaner, while a use is in progress only marks the pointer closing; the last release frees it. So
 * no other thread, and no callback running inside the use, can free the pointer under it.
 *
 * <p>A connection is also <em>driven</em>: {@link #acquireToDrive} admits one call into OpenSSL's
 * state machine at a time. A second one, from a callback of that call or from another thread, is
 * refused, because OpenSSL's state machine is not re-entrant.
 *
 * <p>Never refers to its handle, so the Cleaner can run; {@code free} must not capture it either.
 */
final class NativeRef implements Runnable {
    /** One Cleaner thread for every handle's native memory. */
    static final Cleaner CLEANER = Cleaner.create();

    /** What an owned pointer is, to count the live ones (tests and leak checks read the counts). */
    enum Kind {
        CONTEXT, CONNECTION, SESSION, NETWORK_BIO;

        private final LongAdder live = new LongAdder();

        /** Owned pointers of this kind not yet freed. */
        long live() {
            return live.sum();
        }
    }

    private final Kind kind; // null when lent: we never free a lent pointer
    private final LongConsumer free;
    private final String closedMessage;
    private long address;
    private boolean closing;
    private int users;
    private Thread driver;
    private String drivingCall;

    private NativeRef(Kind kind, long address, LongConsumer free, String closedMessage) {
        this.kind = kind;
        this.address = address;
        this.free = free;
        this.closedMessage = closedMessage;
    }

    /** A pointer the handle owns: {@code free} releases it once the handle is closed and unused. */
    static NativeRef owned(Kind kind, long address, LongConsumer free, String closedMessage) {
        kind.live.increment();
        return new NativeRef(kind, address, free, closedMessage);
    }

    /**
     * A pointer OpenSSL lends to a callback running on this thread, inside a call of OpenSSL's state
     * machine: never freed by us, valid until {@link #endLoan()}, and never driven again from here.
     */
    static NativeRef lent(long address, String closedMessage, String drivingCall) {
        NativeRef ref = new NativeRef(null, address, null, closedMessage);
        ref.driver = Thread.currentThread();
        ref.drivingCall = drivingCall;
        return ref;
    }

    /** Throws {@link IllegalStateException} if the handle is closed. */
    synchronized void checkOpen() {
        if (closing) {
            throw new IllegalStateException(closedMessage);
        }
    }

    /** Starts a use; the pointer stays valid until the matching {@link #release()}. */
    synchronized long acquire() {
        if (closing) {
            throw new IllegalStateException(closedMessage);
        }
        users++;
        return address;
    }

    /**
     * Starts a call into OpenSSL's state machine ({@code call}, such as "SSL_do_handshake"); at most
     * one at a time. Ends with {@link #releaseDriver()}.
     */
    synchronized long acquireToDrive(String call) {
        if (closing) {
            throw new IllegalStateException(closedMessage);
        }
        if (driver != null) {
            throw new IllegalStateException(driver == Thread.currentThread()
                    ? call + " was called from inside a callback of the " + drivingCall + " running on this"
                    + " same connection; OpenSSL's state machine is not re-entrant. Inside a callback, only"
                    + " read-only calls and close() (which waits for " + drivingCall + " to return) are allowed"
                    : call + " was called while thread '" + driver.getName() + "' runs " + drivingCall
                    + " on this connection; use a connection from one thread at a time");
        }
        users++;
        driver = Thread.currentThread();
        drivingCall = call;
        return address;
    }

    /**
     * Runs {@code call} with the pointer, which stays valid until it returns. {@code handle} is the
     * handle this belongs to: kept reachable meanwhile, so that its Cleaner cannot close it mid-call.
     */
    <T> T use(Object handle, LongFunction<T> call) {
        long address = acquire();
        try {
            return call.apply(address);
        } finally {
            release();
            Reference.reachabilityFence(handle);
        }
    }

    /** {@link #use} for a call that returns nothing. */
    void perform(Object handle, LongConsumer call) {
        long address = acquire();
        try {
            call.accept(address);
        } finally {
            release();
            Reference.reachabilityFence(handle);
        }
    }

    /** Ends a use; frees the pointer if it was closed meanwhile and this was the last use. */
    void release() {
        long toFree;
        synchronized (this) {
            toFree = --users == 0 && closing ? takeAddress() : 0;
        }
        freeOutsideTheLock(toFree);
    }

    /** Ends the call started by {@link #acquireToDrive}. */
    void releaseDriver() {
        synchronized (this) {
            driver = null;
            drivingCall = null;
        }
        release();
    }

    /** True once {@link #run()} was called: the handle is closed, or closing when its uses end. */
    synchronized boolean isClosing() {
        return closing;
    }

    /**
     * Closes: frees the pointer now if nobody uses it, else when the last use ends. Idempotent. Runs
     * from {@code close()} or from the Cleaner.
     */
    @Override
    public void run() {
        long toFree;
        synchronized (this) {
            closing = true;
            toFree = users == 0 ? takeAddress() : 0;
        }
        freeOutsideTheLock(toFree);
    }

    /**
     * Ends a loan when the callback that received the pointer returns: later uses throw. Waits for
     * uses on other threads to finish, since OpenSSL may free the pointer as soon as this returns.
     */
    synchronized void endLoan() {
        closing = true;
        driver = null;
        boolean interrupted = false;
        while (users > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true; // must not return while another thread reads the pointer
            }
        }
        address = 0;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private long takeAddress() {
        long taken = address;
        address = 0;
        if (kind == null) {
            notifyAll(); // an endLoan may be waiting for this last use
            return 0;
        }
        return taken;
    }

    private void freeOutsideTheLock(long toFree) {
        if (toFree != 0) {
            kind.live.decrement();
            free.accept(toFree);
        }
    }
}
