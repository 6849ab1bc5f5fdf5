package io.github.ossltickets.adapters;

/**
 * Sends the frameworks' logs to {@code java.util.logging}, whose records the container tests read. The
 * test class path has SLF4J 1.7 (Jedis's) without a binding: commons-logging (Spring's), Reactor and
 * Vert.x would pick it and log nowhere, and a failure in a reload or a handshake would go unseen.
 */
public final class ExampleLogging {
    private ExampleLogging() {
    }

    /** Call before the framework logs its first line. */
    public static void toJavaUtilLogging() {
        System.setProperty("org.apache.commons.logging.LogFactory", "org.apache.commons.logging.impl.LogFactoryImpl");
        System.setProperty("org.apache.commons.logging.Log", "org.apache.commons.logging.impl.Jdk14Logger");
        System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.JULLogDelegateFactory");
        reactor.util.Loggers.useJdkLoggers();
    }
}
