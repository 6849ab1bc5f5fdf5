package io.github.ossltickets;

import java.lang.ref.Cleaner;

/**
 * What every handle on a native pointer ({@link SslContext}, {@link Ssl}, {@link SslSession},
 * {@link NetworkBio}) is built on, written once: its {@link NativeRef}, through which every native call
 * of the handle goes, and, when the handle owns the pointer, the Cleaner that frees it if the handle is
 * dropped without {@code close()}. A lent or borrowed pointer is never ours to free, so its handle
 * registers nothing: closing it only ends this handle's use.
 *
 * <p>The Cleaner's action is the {@code NativeRef}, which never refers to its handle, so an owned
 * handle can be collected. Each handle's public {@code close()} calls {@link #closeHandle()}, after what
 * is its own (a context first lets its connections free it, a borrowed one removes its callbacks).
 */
abstract class NativeHandle {
    /** The pointer and who is using it now. */
    final NativeRef ref;
    /** Registered with {@link NativeRef#CLEANER} when the handle owns the pointer; null when lent or borrowed. */
    private final Cleaner.Cleanable cleanable;

    NativeHandle(NativeRef ref, boolean owned) {
        this.ref = ref;
        this.cleanable = owned ? NativeRef.CLEANER.register(this, ref) : null;
    }

    /** The pointer, valid while this handle is open: for our own use, or for an {@code address()} that pins nothing. */
    final long pointer() {
        return ref.use(this, pointer -> pointer);
    }

    /** True once this handle was closed (or its loan ended); an owned pointer is freed when its last use ends. */
    final boolean isClosing() {
        return ref.isClosing();
    }

    /** Ends a lent handle's validity; called when the callback that received it returns. */
    final void endLoan() {
        ref.endLoan();
    }

    /**
     * Frees an owned pointer once no thread uses it; ends a lent or borrowed handle's use. Idempotent,
     * and never waits.
     */
    final void closeHandle() {
        // The close first, while the Cleaner still holds this handle: if an Error (a short stack) interrupts
        // it, the pointer stays, and a later close(), or the Cleaner once the handle is unreachable, frees it.
        // Closing in a finally that a StackOverflowError unwinds through would otherwise leak each one.
        ref.run();
        if (cleanable != null) {
            cleanable.clean(); // the Cleaner forgets this handle; its second run finds nothing left to do
        }
    }
}
