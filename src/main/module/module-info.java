/**
 * ossl-tickets: OpenSSL 3's session-ticket callbacks for Java TLS servers, on the system's
 * {@code libssl.so.3} through JNA or, on JDK 22 and later,
 * the JDK's FFM API. See the package {@link io.github.ossltickets} for the layers and the rules every
 * callback follows.
 *
 * <p>The integrations read their library only when it is there ({@code requires static}): a user of
 * the core needs JNA alone. The raw mapping ({@code io.github.ossltickets.ffi}) is not exported; JNA,
 * which registers its native methods and calls the callbacks, may reflect on it. The Tomcat adapter
 * (Java 22 classes under {@code META-INF/versions/22}) is used on the class path, where Tomcat runs.
 *
 * <p>The FFM backend ({@code io.github.ossltickets.ffi.ffm}, Java 22 classes under
 * {@code META-INF/versions/22}, not exported) is part of this module on JDK 22 and later, where it is
 * the default: Java finds its package in the versioned entries, and {@code io.github.ossltickets.ffi.Raw}
 * loads it by name.
 *
 * <p>JDK 22 and later warn when native code is called without native access. On the module path the
 * flag names the module that calls it: {@code --enable-native-access=io.github.ossltickets} for FFM (the
 * default on JDK 22+), {@code --enable-native-access=com.sun.jna} for JNA ({@code -Dossltickets.backend=jna},
 * and JDK 17 to 21).
 */
module io.github.ossltickets {
    requires com.sun.jna;
    requires static java.management;
    requires static redis.clients.jedis;
    requires static micrometer.core;
    requires static io.netty.handler;
    requires static io.netty.buffer;
    requires static io.netty.common;

    exports io.github.ossltickets;
    exports io.github.ossltickets.keys;
    exports io.github.ossltickets.policy;
    exports io.github.ossltickets.net;
    exports io.github.ossltickets.metrics;
    exports io.github.ossltickets.netty;
    exports io.github.ossltickets.redis;

    opens io.github.ossltickets.ffi to com.sun.jna;
}
