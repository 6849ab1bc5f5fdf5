package io.github.ossltickets;

/**
 * What a {@link ClientHelloCallback} returns: go on ({@code SSL_CLIENT_HELLO_SUCCESS}) or fail the
 * handshake with an alert ({@code SSL_CLIENT_HELLO_ERROR} with {@code *al} set).
 */
public final class ClientHelloDecision {
    /** TLS alert internal_error (80), what a failing callback sends. */
    public static final int INTERNAL_ERROR = 80;
    /** TLS alert unrecognized_name (112), for a server name this server does not serve. */
    public static final int UNRECOGNIZED_NAME = 112;
    /** TLS alert handshake_failure (40). */
    public static final int HANDSHAKE_FAILURE = 40;

    private static final ClientHelloDecision PROCEED = new ClientHelloDecision(-1);

    private final int alert;

    private ClientHelloDecision(int alert) {
        this.alert = alert;
    }

    /** Go on with the handshake. */
    public static ClientHelloDecision proceed() {
        return PROCEED;
    }

    /**
     * Fail the handshake and send {@code alert} (a TLS AlertDescription, 0 to 255, such as
     * {@link #UNRECOGNIZED_NAME}).
     */
    public static ClientHelloDecision refuse(int alert) {
        if (alert < 0 || alert > 255) {
            throw new IllegalArgumentException("a TLS alert is 0 to 255, not " + alert);
        }
        return new ClientHelloDecision(alert);
    }

    /** True for {@link #proceed()}. */
    public boolean proceeds() {
        return alert < 0;
    }

    /** The alert to send; -1 for {@link #proceed()}. */
    public int alert() {
        return alert;
    }

    @Override
    public String toString() {
        return proceeds() ? "proceed" : "refuse(alert " + alert + ")";
    }
}
