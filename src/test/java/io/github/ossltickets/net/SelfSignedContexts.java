package io.github.ossltickets.net;

import io.github.ossltickets.SslContext;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A server context with a self-signed certificate and a client context, made once for a test class and
 * closed after it: {@code @RegisterExtension static final SelfSignedContexts contexts = new SelfSignedContexts();}
 */
final class SelfSignedContexts implements BeforeAllCallback, AfterAllCallback {
    SslContext server;
    SslContext client;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = SslContext.forServer().selfSignedCertificate().build();
        client = SslContext.forClient().build();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.close();
        client.close();
    }
}
