package io.github.ossltickets.ffi.ffm;

import com.sun.jna.Callback;
import io.github.ossltickets.ffi.CRYPTO_EX_free;
import io.github.ossltickets.ffi.LibSsl;
import io.github.ossltickets.ffi.SSL_CTX_alpn_select_cb_func;
import io.github.ossltickets.ffi.SSL_CTX_decrypt_session_ticket_fn;
import io.github.ossltickets.ffi.SSL_CTX_generate_session_ticket_fn;
import io.github.ossltickets.ffi.SSL_client_hello_cb_fn;
import io.github.ossltickets.ffi.SslMessageCallback;
import io.github.ossltickets.ffi.TicketKeyEvpCallback;
import io.github.ossltickets.ffi.pem_password_cb;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Callback objects made into native function pointers: one FFM upcall stub per object, made when it
 * is first passed to OpenSSL, in an arena of its own. The stub holds its object weakly, as JNA does,
 * so that the Java references alone decide what stays reachable (a context's callbacks may refer to
 * their own handle). The arena is closed by {@link #release}, which the ex_data free callback of the
 * context calls when OpenSSL frees it (ContextCallbacks), or else when the object is collected, the
 * moment JNA frees its own stub. The process-wide callbacks (the ex_data free callbacks of contexts
 * and of connections, the message callback, the PEM password callback) are held by static fields and
 * never released.
 *
 * <p>An FFM upcall that throws ends the JVM. The library's callbacks catch everything themselves;
 * as a last guard each stub returns the typedef's failing value (see {@link Kind}) if one throws.
 */
final class Upcalls {
    private Upcalls() {}

    /** A callback typedef: its Java method, its C signature, and what it returns if the Java method throws. */
    private record Kind(Class<? extends Callback> typedef, FunctionDescriptor descriptor, Object failed) {
        MethodType type() {
            return descriptor.toMethodType();
        }
    }

    private static final List<Kind> KINDS = List.of(
            // int (*)(SSL *s, void *arg): 0 fails the handshake
            new Kind(SSL_CTX_generate_session_ticket_fn.class, FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), 0),
            // SSL_TICKET_RETURN (*)(SSL *, SSL_SESSION *, const unsigned char *, size_t, SSL_TICKET_STATUS, void *): ABORT
            new Kind(SSL_CTX_decrypt_session_ticket_fn.class,
                    FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG), 0),
            // int (*)(SSL *, unsigned char *, unsigned char *, EVP_CIPHER_CTX *, EVP_MAC_CTX *, int): -1 is fatal
            new Kind(TicketKeyEvpCallback.class,
                    FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT), -1),
            // int (*)(SSL *s, int *al, void *arg): SSL_CLIENT_HELLO_ERROR, with OpenSSL's default alert (internal_error)
            new Kind(SSL_client_hello_cb_fn.class, FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                    LibSsl.SSL_CLIENT_HELLO_ERROR),
            // int (*)(SSL *, const unsigned char **out, unsigned char *outlen, const unsigned char *in, unsigned int inlen, void *arg)
            new Kind(SSL_CTX_alpn_select_cb_func.class,
                    FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG),
                    LibSsl.SSL_TLSEXT_ERR_ALERT_FATAL),
            // void (*)(int, int, int, const void *, size_t, SSL *, void *)
            new Kind(SslMessageCallback.class,
                    FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), null),
            // int pem_password_cb(char *, int, int, void *): -1 is "no password"
            new Kind(pem_password_cb.class, FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG), -1),
            // void CRYPTO_EX_free(void *, void *, CRYPTO_EX_DATA *, int, long, void *)
            new Kind(CRYPTO_EX_free.class,
                    FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), null));

    /** A live stub: freed by closing its arena, once, by {@link #release} or when its object is collected. */
    private record Stub(Arena arena, MemorySegment code, AtomicBoolean closed) implements Runnable {
        @Override
        public void run() {
            if (closed.compareAndSet(false, true)) {
                arena.close();
            }
        }
    }

    /**
     * One stub per callback object, however often it is passed; weak keys (the callback types keep
     * Object's identity equality). Guarded by itself.
     */
    private static final Map<Callback, Stub> STUBS = new WeakHashMap<>();
    private static final Cleaner CLEANER = Cleaner.create();
    /** {@code (Target) -> its callback}, null once collected. */
    private static final MethodHandle TARGET_CALLBACK;

    static {
        try {
            TARGET_CALLBACK = MethodHandles.lookup().findVirtual(Target.class, "callback",
                    MethodType.methodType(Callback.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What a stub calls, held weakly: a stand-in while the stub is customized ({@link #customize}), then the callback. */
    private static final class Target {
        private volatile WeakReference<Callback> callback;

        Target(Callback callback) {
            this.callback = new WeakReference<>(callback);
        }

        Callback callback() {
            return callback.get();
        }
    }

    /** The native function pointer for {@code callback}, made on first use; 0 for null. */
    static long pointer(Callback callback) {
        if (callback == null) {
            return 0;
        }
        synchronized (STUBS) {
            Stub stub = STUBS.get(callback);
            if (stub == null) {
                stub = make(callback);
                STUBS.put(callback, stub);
            }
            return stub.code().address();
        }
    }

    /** Frees the stubs of these objects; OpenSSL must no longer hold their pointers. */
    static void release(Callback... callbacks) {
        for (Callback callback : callbacks) {
            Stub stub;
            synchronized (STUBS) {
                stub = STUBS.remove(callback);
            }
            if (stub != null) {
                stub.run();
            }
        }
    }

    /** How many stubs are live: for the soak and the tests. */
    static int live() {
        synchronized (STUBS) {
            return STUBS.size();
        }
    }

    private static Stub make(Callback callback) {
        Kind kind = kindOf(callback);
        warmUp(kind);
        Callback standIn = standIn(kind, false);
        Target target = new Target(standIn);
        MethodHandle guarded = guarded(kind, target);
        Arena arena = Arena.ofShared();
        Stub stub;
        try {
            stub = new Stub(arena, Downcalls.LINKER.upcallStub(guarded, kind.descriptor(), arena), new AtomicBoolean());
            customize(kind, stub.code());
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        } finally {
            Reference.reachabilityFence(standIn);
        }
        target.callback = new WeakReference<>(callback);
        CLEANER.register(callback, stub); // the stub must not refer to the callback: it would never be collected
        return stub;
    }

    /** The JDK compiles a method handle anew ("customizes" it) on the call after this many. */
    private static final int CUSTOMIZE_THRESHOLD =
            Integer.getInteger("java.lang.invoke.MethodHandle.CUSTOMIZE_THRESHOLD", 127);

    /** Downcalls into a stub of each kind, for {@link #customize}: (stub address, args...). Guarded by STUBS. */
    private static final Map<Kind, MethodHandle> CALLERS = new java.util.HashMap<>();

    /**
     * Calls a new stub, whose target is still a stand-in, past the count at which the JDK customizes its
     * method handle, tens of frames deep: from the stub's entry, outside any handler. Left to a real call,
     * that would come whenever the stub's 128th call does; if the thread's stack is nearly full then (a
     * handshake driven by code that caught a StackOverflowError, as CallbackErrorTest's are), the overflow
     * ends the JVM ("Unrecoverable uncaught exception encountered"). Here the stack is proven deep first.
     */
    private static void customize(Kind kind, MemorySegment stub) {
        if (probe(WARM_UP_FRAMES) == 42) { // a StackOverflowError here fails the caller; the arena is closed
            throw new AssertionError("never: the probe's result only keeps the JIT from removing it");
        }
        MethodHandle call = CALLERS.computeIfAbsent(kind, k -> Downcalls.LINKER.downcallHandle(k.descriptor()));
        java.util.List<Object> arguments = new java.util.ArrayList<>(zeros(kind));
        arguments.add(0, stub);
        try {
            for (int i = 0; i <= CUSTOMIZE_THRESHOLD; i++) {
                call.invokeWithArguments(arguments);
            }
        } catch (Throwable failure) {
            throw new IllegalStateException("the customizing calls of a " + kind.typedef().getSimpleName()
                    + " upcall failed", failure);
        }
    }

    /** A zero of each of the kind's parameter types. */
    private static java.util.List<Object> zeros(Kind kind) {
        return kind.type().parameterList().stream()
                .map(type -> java.lang.reflect.Array.get(java.lang.reflect.Array.newInstance(type, 1), 0)).toList();
    }

    /** A callback of the kind that only returns its failing value, or throws first if {@code throwing[0]}. */
    private static Callback standIn(Kind kind, boolean... throwing) {
        return (Callback) java.lang.reflect.Proxy.newProxyInstance(Upcalls.class.getClassLoader(),
                new Class<?>[] {kind.typedef()}, (proxy, method, args) -> {
                    if (!method.getName().equals("callback")) {
                        return method.invoke(new Object(), args); // equals, hashCode, toString: Object's
                    }
                    if (throwing.length > 0 && throwing[0]) {
                        throw new IllegalStateException("a warm-up call's failure, which the guard turns into its value");
                    }
                    return kind.type().returnType() == void.class ? null : kind.failed();
                });
    }

    /**
     * {@code callback}'s method, guarded: {@code (args...) -> callback.callback(args...)}, held weakly;
     * the typedef's failing value if it throws (a collected callback throws too).
     */
    private static MethodHandle guarded(Kind kind, Target callback) {
        MethodType type = kind.type();
        MethodHandle target;
        try {
            // (Target, args...) -> its callback.callback(args...); a collected callback throws, and fails below.
            MethodHandle method = MethodHandles.lookup().findVirtual(kind.typedef(), "callback", type);
            MethodHandle referent = TARGET_CALLBACK.asType(MethodType.methodType(kind.typedef(), Target.class));
            target = MethodHandles.filterArguments(method, 0, referent).bindTo(callback);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make an upcall of " + kind.typedef().getSimpleName(), e);
        }
        MethodType handlerType = type.insertParameterTypes(0, Throwable.class);
        MethodHandle failed = type.returnType() == void.class ? MethodHandles.empty(handlerType)
                : MethodHandles.dropArguments(MethodHandles.constant(type.returnType(), kind.failed()), 0,
                        handlerType.parameterList());
        return MethodHandles.catchException(target, Throwable.class, failed);
    }

    /** The kinds whose upcall path has run once (see {@link #warmUp}). Guarded by STUBS. */
    private static final java.util.Set<Kind> WARM = new java.util.HashSet<>();

    /**
     * The first call through an upcall stub links its Java side: the JDK generates classes, tens of
     * frames deep. If that first call comes when the thread's stack is nearly full (a callback's first
     * resumption, driven by code that caught a StackOverflowError), the overflow strikes outside any
     * handler and ends the JVM. So before a kind's first real stub, a stub of the same kind and shape
     * is called once here, through a downcall, on a stack proven deep: once throwing (the guard's
     * path) and once returning. Later stubs of the kind share what that linked.
     */
    private static void warmUp(Kind kind) {
        if (WARM.contains(kind)) {
            return;
        }
        if (probe(WARM_UP_FRAMES) == 42) { // a StackOverflowError here fails the caller; nothing is made
            throw new AssertionError("never: the probe's result only keeps the JIT from removing it");
        }
        boolean[] throwing = {true};
        Callback dummy = standIn(kind, throwing);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stub = Downcalls.LINKER.upcallStub(guarded(kind, new Target(dummy)), kind.descriptor(), arena);
            MethodHandle call = Downcalls.LINKER.downcallHandle(stub, kind.descriptor());
            Object[] zeros = zeros(kind).toArray();
            call.invokeWithArguments(zeros);
            throwing[0] = false;
            call.invokeWithArguments(zeros);
        } catch (Throwable failure) {
            throw new IllegalStateException("the warm-up call of a " + kind.typedef().getSimpleName()
                    + " upcall failed", failure);
        } finally {
            Reference.reachabilityFence(dummy);
        }
        WARM.add(kind);
    }

    /** Frames proven before a warm-up: far more than the JDK's linking takes (about 24 KiB, which 1,024 of these frames exceed). */
    private static final int WARM_UP_FRAMES = 1024;

    private static long probe(int frames) {
        return frames == 0 ? 0 : probe(frames - 1) + 1;
    }

    private static Kind kindOf(Callback callback) {
        for (Kind kind : KINDS) {
            if (kind.typedef().isInstance(callback)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("not a callback typedef of io.github.ossltickets.ffi: " + callback.getClass());
    }
}
