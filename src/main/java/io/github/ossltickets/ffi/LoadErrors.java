package io.github.ossltickets.ffi;

import java.io.File;

/**
 * The messages of a failed load, the same whichever backend loads: they tell "not found" from "found
 * but failed". Public only for the FFM backend in {@code io.github.ossltickets.ffi.ffm}.
 */
public final class LoadErrors {
    private LoadErrors() {}

    /** {@code dlopen} failed; {@code dlerror} is the dynamic linker's own words. */
    public static UnsatisfiedLinkError cannotOpen(String name, String property, String dlerror, Throwable cause) {
        UnsatisfiedLinkError error;
        if (!dlerror.contains(new File(name).getName() + ": cannot open shared object file")) {
            // The file is there, but the dynamic linker refused it or one of its dependencies.
            error = new UnsatisfiedLinkError("OpenSSL library found but failed to load: '" + name
                    + "': the dynamic linker says: " + dlerror + " (set -D" + property
                    + "=/path/to/file to choose another)");
        } else {
            error = new UnsatisfiedLinkError("OpenSSL library not found: tried '" + name + "'"
                    + (new File(name).isAbsolute() ? "" : " on the system library path")
                    + " (set -D" + property + "=/path/to/file to choose another): " + dlerror);
        }
        error.initCause(cause);
        return error;
    }

    /** The library loaded from {@code file} lacks a function; {@code why} names it. */
    public static UnsatisfiedLinkError cannotBind(String name, String file, String why, Throwable cause) {
        UnsatisfiedLinkError error = new UnsatisfiedLinkError("OpenSSL library found but failed to bind: '" + name
                + "' loaded from " + file + ", but " + why);
        error.initCause(cause);
        return error;
    }
}
