package io.github.ossltickets.ffi;

import com.sun.jna.NativeLibrary;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every bound function resolves in the library file the loader picks (the ossltickets.libssl and
 * ossltickets.libcrypto properties included), each looked up by name on its own: the loader's
 * {@code Native.register} stops at the first missing one, this lists them all. Each is bound once per
 * Java signature: a function that takes memory may have two entries, a Java array and a native address
 * ({@code BIO_read}/{@code BIO_write}: arrays for the blocking path, direct buffers for the selector).
 */
class SymbolsTest {
    @Test
    void everyNativeMethodResolves() {
        List<String> unresolved = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int count = 0;
        for (Class<?> mapping : List.of(LibCrypto.class, LibSsl.class)) {
            String libraryName = mapping == LibSsl.class
                    ? System.getProperty("ossltickets.libssl", LibSsl.DEFAULT_NAME)
                    : System.getProperty("ossltickets.libcrypto", LibCrypto.DEFAULT_NAME);
            NativeLibrary library = NativeLibrary.getInstance(libraryName);
            for (Method method : mapping.getDeclaredMethods()) {
                if (!Modifier.isNative(method.getModifiers())) {
                    continue;
                }
                count++;
                assertTrue(seen.add(method.getName() + java.util.Arrays.toString(method.getParameterTypes())),
                        "bound twice: " + method);
                try {
                    library.getFunction(method.getName());
                } catch (UnsatisfiedLinkError e) {
                    unresolved.add("unresolved symbol: " + method.getName() + " in " + libraryName);
                }
            }
        }
        assertEquals(List.of(), unresolved);
        assertTrue(count > 80, "bound functions: " + count);
    }

    /**
     * The FFM twin (JDK 22+) translates the JNA mapping one to one: for every native method, a public
     * static method of the same name and arity in {@code ffi.ffm.LibSsl} or {@code LibCrypto}, and the
     * same method in {@link Backend}. The twin resolves its symbols when it loads, so the JNA check above
     * covers those.
     */
    @Test
    void theFfmTwinTranslatesEveryNativeMethod() throws ClassNotFoundException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() >= Raw.FFM_FEATURE, "FFM needs JDK 22+");
        List<String> missing = new ArrayList<>();
        for (Class<?> mapping : List.of(LibCrypto.class, LibSsl.class)) {
            // Not initialized: that binds every symbol, and the FFM libraries are loaded only when FFM runs.
            Class<?> twin = Class.forName("io.github.ossltickets.ffi.ffm." + mapping.getSimpleName(), false,
                    SymbolsTest.class.getClassLoader());
            for (Method method : mapping.getDeclaredMethods()) {
                if (!Modifier.isNative(method.getModifiers())) {
                    continue;
                }
                int arity = method.getParameterCount();
                if (java.util.Arrays.stream(twin.getDeclaredMethods()).noneMatch(m -> m.getName().equals(method.getName())
                        && m.getParameterCount() == arity && Modifier.isStatic(m.getModifiers()))) {
                    missing.add(twin.getName() + "." + method.getName());
                }
                if (java.util.Arrays.stream(Backend.class.getMethods()).noneMatch(m -> m.getName().equals(method.getName())
                        && m.getParameterCount() == arity)) {
                    missing.add("Backend." + method.getName());
                }
            }
        }
        assertEquals(List.of(), missing);
    }
}
