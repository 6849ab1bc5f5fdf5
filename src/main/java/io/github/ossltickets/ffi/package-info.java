/**
 * Layer 1: the raw mapping of {@code libssl.so.3} and {@code libcrypto.so.3}.
 *
 * <p>Every method here is a JNA direct-mapped {@code public static native} method named exactly as
 * the C function it binds. Opaque C pointers ({@code SSL*}, {@code SSL_CTX*}, {@code SSL_SESSION*},
 * {@code BIO*}, ...) are passed as {@code long} addresses; memory that Java reads or writes is a
 * {@link com.sun.jna.Pointer} or a {@code byte[]}. No {@code Structure}, {@code TypeMapper} or
 * varargs is used: a {@code TypeMapper} would turn off JNA's fast direct callbacks.
 *
 * <p>Each function's comment gives its C signature and ownership rule: get0 returns a borrowed
 * pointer, get1 (and new) an owned one the caller frees, set1 copies its argument.
 *
 * <p>Only what the library itself calls is here. Bindings that only the tests use (the deprecated
 * {@code HMAC_CTX} ticket key callback) live in the test tree.
 *
 * <p>The rest of the library calls them through {@link io.github.ossltickets.ffi.Backend}, chosen once
 * in {@link io.github.ossltickets.ffi.Raw}: {@link io.github.ossltickets.ffi.JnaBackend} over these
 * classes, or on JDK 22 and later the FFM twin in {@code io.github.ossltickets.ffi.ffm} (same class
 * and method names, built from {@code src/main/java22}), where every pointer is a {@code long}.
 *
 * <p>Nothing here checks arguments or owns memory. Use the handles in {@code io.github.ossltickets},
 * the only package above the raw layer that calls it; the module does not export it (JNA may reflect on it).
 * The classes are registered by {@code io.github.ossltickets.OpenSsl}; calling a method before that
 * throws {@link UnsatisfiedLinkError}.
 */
package io.github.ossltickets.ffi;
