package io.github.ossltickets.ffi;

/**
 * The backend chosen once, at class initialization, before any library is loaded:
 * {@code -Dossltickets.backend=ffm} or {@code jna} chooses; without it, FFM on JDK 22 and later and
 * JNA before. The field is {@code static final}, so the JIT calls the one implementation directly.
 * {@code io.github.ossltickets.OpenSsl} loads the libraries through it and reports the choice.
 */
public final class Raw {
    private Raw() {}

    /** The system property that chooses the backend: {@code jna} or {@code ffm}. */
    public static final String PROPERTY = "ossltickets.backend";

    /** The first JDK whose {@code java.lang.foreign} is final. */
    public static final int FFM_FEATURE = 22;

    private static final String FFM_CLASS = "io.github.ossltickets.ffi.ffm.FfmBackend";

    /** Why the backend asked for could not be used, or null. */
    public static final UnsatisfiedLinkError CHOICE_FAILURE;

    /** Every native call of the library goes through this. */
    public static final Backend OPENSSL;

    static {
        String asked = System.getProperty(PROPERTY, "").trim();
        int feature = Runtime.version().feature();
        Backend chosen = null;
        UnsatisfiedLinkError failure = null;
        if (asked.equals("jna") || asked.isEmpty() && feature < FFM_FEATURE) {
            chosen = new JnaBackend();
        } else if (!asked.isEmpty() && !asked.equals("ffm")) {
            failure = new UnsatisfiedLinkError("-D" + PROPERTY + "=" + asked + " is not a backend: use jna or ffm");
        } else if (feature < FFM_FEATURE) {
            failure = new UnsatisfiedLinkError("-D" + PROPERTY + "=ffm needs JDK " + FFM_FEATURE
                    + " or later; this is JDK " + feature + " (use jna, the default here)");
        } else {
            try {
                chosen = (Backend) Class.forName(FFM_CLASS).getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                // Only a jar built without a JDK 22+ compiler lacks the class: say so, never fall back silently.
                failure = new UnsatisfiedLinkError("the FFM backend (" + FFM_CLASS + ") is missing from this build"
                        + " of ossl-tickets: " + e + "; run with -D" + PROPERTY + "=jna");
                failure.initCause(e);
            }
        }
        CHOICE_FAILURE = failure;
        OPENSSL = chosen != null ? chosen : new JnaBackend(); // never used: OpenSsl throws CHOICE_FAILURE first
    }
}
