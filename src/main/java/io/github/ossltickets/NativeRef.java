package io.github.ossltickets;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;

/**
 * The native pointer behind one handle ({@link SslContext}, {@link Ssl}, {@link SslSession},
 * {@link NetworkBio}), and who is using it right now. Each handle holds one through {@link NativeHandle}.
 *
 * <p>Every native use runs inside {@link #use}, {@link #perform} or {@link #drive}. A close, or the
 * Cleaner, while a use is in progress only marks the pointer closing; the last use to end frees it.
 * So no other thread, and no callback running inside the use, can free the pointer under it. The
 * count of uses goes down in each of those methods' {@code finally} without a method call, so that an
 * Error (a StackOverflowError near the end of the stack) cannot leave a use counted.
 *
 * <p>A connection is also <em>driven</em>: {@link #drive} admits one call into OpenSSL's state machine
 * at a time. A second one, from a callback of that call or from another thread, is refused, because
 * OpenSSL's state machine is not re-entrant.
 *
 * <p>Three kinds: owned (we free it), lent to a callback (valid until the callback returns) and a
 * view of a pointer another owner keeps (valid until that owner frees it).
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

    private final Kind kind; // null when lent or a view: we never free a pointer we do not own
    private final LongConsumer free;
    private final String closedMessage;
    /** The thread whose callback a lent pointer was lent to; null when owned or a view. */
    private final Thread lender;
    /**
     * A connection: OpenSSL's {@code SSL} is not thread-safe, and its state machine replaces and frees
     * what read-only calls read (the session, on each TLS 1.3 ticket), so a use from another thread
     * waits for the call driving it to return, and a drive waits for such uses to end.
     */
    private final boolean connection;
    private long address;
    private boolean closing;
    /**
     * Uses in progress; for a lent pointer, those of threads other than the lender. The lender's own
     * are not counted: {@link #endLoan()}, called by that thread, never waits for them.
     */
    private int users;
    private Thread driver;
    private String drivingCall;
    /** Threads in {@link #awaitTurn}: the end of a use or drive wakes them. */
    private int waiting;

    private NativeRef(Kind kind, long address, LongConsumer free, String closedMessage, Thread lender,
            boolean connection) {
        this.kind = kind;
        this.address = address;
        this.free = free;
        this.closedMessage = closedMessage;
        this.lender = lender;
        this.connection = connection;
    }

    /** A pointer the handle owns: {@code free} releases it once the handle is closed and unused. */
    static NativeRef owned(Kind kind, long address, LongConsumer free, String closedMessage) {
        kind.live.increment();
        return new NativeRef(kind, address, free, closedMessage, null, kind == Kind.CONNECTION);
    }

    /**
     * A pointer another owner keeps alive (a borrowed context): never freed by us, valid until
     * {@link #endLoan()}, which the owner's free triggers.
     */
    static NativeRef view(long address, String closedMessage) {
        return new NativeRef(null, address, null, closedMessage, null, false);
    }

    /**
     * A pointer OpenSSL lends to a callback running on this thread, inside a call of OpenSSL's state
     * machine: never freed by us, valid until {@link #endLoan()}, and never driven again from here.
     */
    static NativeRef lent(long address, String closedMessage, String drivingCall, boolean connection) {
        NativeRef ref = new NativeRef(null, address, null, closedMessage, Thread.currentThread(), connection);
        ref.driver = ref.lender;
        ref.drivingCall = drivingCall;
        return ref;
    }

    /** Throws {@link IllegalStateException} if the handle is closed. */
    synchronized void checkOpen() {
        if (closing) {
            throw new IllegalStateException(closedMessage);
        }
    }

    /**
     * Runs {@code call} with the pointer, which stays valid until it returns. {@code handle} is the
     * handle this belongs to: kept reachable meanwhile, so that its Cleaner cannot close it mid-call.
     */
    <T> T use(Object handle, LongFunction<T> call) {
        Thread current = Thread.currentThread();
        if (current == lender || current == driver) {
            // Inside a call that already holds the pointer on this thread: the callback a pointer was lent to
            // (only its endLoan, later on this thread, ends the loan, and we never free a lent pointer), or a
            // callback of the call driving this connection (the drive's own count keeps the pointer until
            // it returns, after this). So nothing to count and no lock, and no count for an Error to leave
            // behind. driver equals this thread only when this thread set it; a close() from another thread
            // that races with this use may let it run, as any race may.
            if (closing) {
                throw new IllegalStateException(closedMessage);
            }
            try {
                return call.apply(address);
            } finally {
                Reference.reachabilityFence(handle);
            }
        }
        long address = acquire();
        try {
            return call.apply(address);
        } finally {
            // The count goes down here, written out rather than in a method: near the end of the stack, a
            // StackOverflowError strikes a call's entry, and would leave the use counted forever.
            boolean closedMeanwhile;
            synchronized (this) {
                closedMeanwhile = --users == 0 && closing;
                if (waiting > 0) {
                    notifyAll(); // after the count: an Error here loses a wake-up, and waits are timed
                }
            }
            if (closedMeanwhile) {
                finishClose();
            }
            Reference.reachabilityFence(handle);
        }
    }

    /** {@link #use} for a call that returns nothing (none of these is on a handshake's path). */
    void perform(Object handle, LongConsumer call) {
        use(handle, address -> {
            call.accept(address);
            return null;
        });
    }

    /** A call into OpenSSL's state machine, for {@link #drive}. */
    @FunctionalInterface
    interface Drive {
        int run(long address);
    }

    /**
     * Runs {@code body}, a call into OpenSSL's state machine named {@code call} (such as
     * "SSL_do_handshake"), with the pointer; at most one at a time per pointer. A second one, from a
     * callback of this call or from another thread, is refused, because OpenSSL's state machine is
     * not re-entrant. {@code handle} is kept reachable until it returns.
     */
    int drive(Object handle, String call, Drive body) {
        long address = acquireToDrive(call);
        try {
            return body.run(address);
        } finally {
            boolean closedMeanwhile; // inline, as in use()
            synchronized (this) {
                driver = null;
                drivingCall = null;
                closedMeanwhile = --users == 0 && closing;
                if (waiting > 0) {
                    notifyAll(); // after the count: an Error here loses a wake-up, and waits are timed
                }
            }
            if (closedMeanwhile) {
                finishClose();
            }
            Reference.reachabilityFence(handle);
        }
    }

    private synchronized long acquire() {
        if (connection && driver != null && driver != Thread.currentThread()) {
            awaitTurn("a call", () -> driver != null && driver != Thread.currentThread());
        }
        if (closing) {
            throw new IllegalStateException(closedMessage);
        }
        users++;
        return address;
    }

    private synchronized long acquireToDrive(String call) {
        if (connection && users > 0 && driver == null && !closing) {
            awaitTurn(call, () -> users > 0 && driver == null); // another thread's read-only call
        }
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

    /** How long a connection's call waits for another thread's call to end before it gives up. */
    private static final long TURN_TIMEOUT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    /**
     * Waits, with this object's lock held, while {@code busy} (another thread's call on this connection
     * runs). Calls into OpenSSL on a connection are short, so this is brief. Refused instead of waiting
     * when this thread runs a call of its own (a callback): two threads each waiting for the other's
     * connection would wait forever.
     */
    private void awaitTurn(String call, java.util.function.BooleanSupplier busy) {
        Thread holder = driver;
        if (CallFrame.insideACall()) {
            throw new IllegalStateException(call + " on a connection that thread '" + (holder == null ? "?"
                    : holder.getName()) + "' is using was made from inside a callback; waiting for it there could"
                    + " deadlock, so it is refused");
        }
        long deadline = System.nanoTime() + TURN_TIMEOUT_NANOS;
        waiting++;
        try {
            while (busy.getAsBoolean() && !closing) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(call + " waited 10 s for another thread's call on this"
                            + " connection to end");
                }
                try {
                    wait(Math.max(1, Math.min(left / 1_000_000, 10))); // timed: a lost wake-up costs 10 ms
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(call + " was interrupted while waiting for another thread's"
                            + " call on this connection", e);
                }
            }
        } finally {
            waiting--;
        }
    }

    /**
     * For the handles' {@code toString()}: "{@code type[what, owned|lent|borrowed, open 0x…]}", or
     * closed instead of open and the address once it is freed or ended. Never reads the native object.
     */
    synchronized String describe(String type, String what) {
        String ownership = kind != null ? "owned" : lender != null ? "lent" : "borrowed";
        String state = !closing ? "open " + hex(address) : address != 0 ? "closing " + hex(address) : "closed";
        return type + "[" + (what == null ? "" : what + ", ") + ownership + ", " + state + "]";
    }

    private static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }

    /** The pointer, or 0 once freed or ended; for tests that check what became of it. */
    synchronized long currentAddress() {
        return address;
    }

    /** True once {@link #run()} was called: the handle is closed, or closing when its uses end. */
    synchronized boolean isClosing() {
        return closing;
    }

    /**
     * Closes: frees the pointer now if nobody uses it, else when the last use ends. Idempotent; a
     * second call also finishes a free that an Error interrupted. Runs from {@code close()} or from
     * the Cleaner. Never waits.
     */
    @Override
    public void run() {
        synchronized (this) {
            closing = true;
        }
        finishClose();
    }

    /**
     * Set for pointers whose free can make OpenSSL free a context, and so call the ex_data free
     * callback into Java ({@link ContextCallbacks}): true when that may happen now.
     */
    private volatile java.util.function.BooleanSupplier freeMayFreeAContext;

    /** Marks this owned pointer as one whose free may free a context when {@code when} says so. */
    void freeMayFreeAContext(java.util.function.BooleanSupplier when) {
        freeMayFreeAContext = when;
    }

    /** Frees the pointer if the handle is closed and no use is left; wakes an {@link #endLoan} waiting. */
    private void finishClose() {
        synchronized (this) {
            if (!closing || users != 0 || address == 0) {
                return; // nothing to free or wake now: freed already, or the last use will
            }
        }
        java.util.function.BooleanSupplier mayFreeAContext = freeMayFreeAContext;
        // Before anything is taken: if the stack is too short, this throws, and a later close() or the
        // Cleaner frees. Once the pointer is taken, an Error before the free would lose it.
        if (mayFreeAContext != null && mayFreeAContext.getAsBoolean()) {
            StackHeadroom.ensureForACallbackIntoJava();
        } else if (connection && kind != null) {
            // SSL_shutdown and SSL_free may call back (message callback, the connection's ex_data free).
            StackHeadroom.ensureBeforeAStateMachineCall();
        } else if (kind != null) {
            StackHeadroom.ensureBeforeAFree(); // the few calls between taking the pointer and freeing it
        }
        long toFree = 0;
        synchronized (this) {
            if (closing && users == 0 && address != 0) {
                if (kind == null) {
                    notifyAll(); // an endLoan may be waiting for this last use of another thread
                } else {
                    toFree = address;
                    address = 0;
                }
            }
        }
        if (toFree != 0) {
            kind.live.decrement();
            free.accept(toFree);
        }
    }

    /**
     * Ends a loan when the callback that received the pointer returns: later uses throw. Waits for
     * uses on other threads to finish, since OpenSSL may free the pointer as soon as this returns;
     * never for the lender's own, which cannot be in progress when it calls this (an Error may have
     * left them counted).
     */
    synchronized void endLoan() {
        closing = true;
        driver = null;
        if (waiting > 0) {
            // A use waiting for its turn now sees the loan ended. Only then: notifyAll inflates the
            // lock into a full monitor, and every callback ends two loans.
            notifyAll();
        }
        boolean interrupted = false;
        while (users > 0) {
            try {
                wait(100); // timed: a wake-up lost to an Error on the other thread costs 100 ms, not a hang
            } catch (InterruptedException e) {
                interrupted = true; // must not return while another thread reads the pointer
            }
        }
        address = 0;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
