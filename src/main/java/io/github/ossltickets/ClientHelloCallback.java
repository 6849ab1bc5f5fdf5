package io.github.ossltickets;

/**
 * Called by OpenSSL early in the server's processing of each ClientHello, before any session is
 * resumed, the ticket decrypted or the server name read: the Java side of
 * {@code SSL_CTX_set_client_hello_cb}, installed with {@link SslContext#setClientHelloCallback}.
 *
 * <p>It is where a server chooses by server name before resumption (nginx's defence against a ticket
 * resumed under another virtual host). What it records with {@link Ssl#setHandshakeAttribute} is seen
 * by the ticket callbacks of the same handshake, as is {@link Ssl#clientHello()}.
 *
 * <p>The rules of the ticket callbacks apply: it runs concurrently on every handshake thread, so make
 * it thread-safe and do not block; a {@link Throwable} it throws fails the handshake closed
 * ({@code SSL_CLIENT_HELLO_ERROR} with an internal_error alert) and becomes the cause of the exception
 * the handshake call throws; calls that would re-enter the state machine of the same connection
 * ({@code handshake}, {@code read}, {@code write}, ...) throw {@link IllegalStateException}. The
 * {@link ClientHello} is lent: valid only until this method returns.
 */
@FunctionalInterface
public interface ClientHelloCallback {
    /**
     * @param connection the server connection receiving the ClientHello
     * @param hello the ClientHello, valid only during this call
     * @return {@link ClientHelloDecision#proceed()} to go on, or {@link ClientHelloDecision#refuse(int)}
     *     to fail the handshake with an alert; never null (null fails the handshake with internal_error)
     */
    ClientHelloDecision onClientHello(Ssl connection, ClientHello hello);
}
