package io.github.ossltickets;

import com.sun.jna.Native;

import java.nio.file.Path;

/** native/handoff.c: a native library that keeps an SSL_CTX* it is handed and runs handshakes with it. */
final class Handoff {
    private Handoff() {}

    static {
        OpenSsl.ensureLoaded(); // the same libssl first, so the helper links to the copy we use
        Native.register(Handoff.class, Path.of("native", "build", "libhandoff.so").toAbsolutePath().toString());
    }

    static native int handoff_keep(long serverCtx);

    static native long handoff_context();

    static native int handoff_run(int version, int resumptions);

    static native void handoff_release();

    static native int handoff_release_on_native_thread();
}
