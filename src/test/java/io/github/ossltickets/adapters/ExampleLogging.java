package io.github.ossltickets.adapters;

/**
 * Sends the frameworks' logs to {@code java.util.logging}, where the example servers' logs are read.
 * The test class path has SLF4J 1.7 (Jedis's) without a binding, and commons-logging (Spring's) and
 * Reactor would pick it and log nowhere: a failure during a reload would go unseen.
 */
public final class ExampleLogging {
    private ExampleLogging() {
    }

    /** Call before the framework logs its first line. */
    public static void toJavaUtilLogging() {
        System.setProperty("org.apache.commons.logging.LogFactory", "org.apache.commons.logging.impl.LogFactoryImpl");
        System.setProperty("org.apache.commons.logging.Log", "org.apache.commons.logging.impl.Jdk14Logger");
    }
}
