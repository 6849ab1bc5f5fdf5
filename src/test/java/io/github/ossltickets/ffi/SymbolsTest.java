package io.github.ossltickets.ffi;

import com.sun.jna.NativeLibrary;
import io.github.ossltickets.OpenSsl;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bound function resolves in the real library, and each is bound once. */
class SymbolsTest {
    @Test
    void everyNativeMethodResolves() {
        OpenSsl.ensureLoaded();
        List<String> unresolved = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int count = 0;
        for (Class<?> mapping : List.of(LibCrypto.class, LibSsl.class)) {
            String libraryName = mapping == LibSsl.class ? LibSsl.DEFAULT_NAME : LibCrypto.DEFAULT_NAME;
            NativeLibrary library = NativeLibrary.getInstance(libraryName);
            for (Method method : mapping.getDeclaredMethods()) {
                if (!Modifier.isNative(method.getModifiers())) {
                    continue;
                }
                count++;
                assertTrue(seen.add(method.getName()), "bound twice: " + method.getName());
                try {
                    library.getFunction(method.getName());
                } catch (UnsatisfiedLinkError e) {
                    unresolved.add("unresolved symbol: " + method.getName());
                }
            }
        }
        assertEquals(List.of(), unresolved);
        assertTrue(count > 80, "bound functions: " + count);
    }
}
