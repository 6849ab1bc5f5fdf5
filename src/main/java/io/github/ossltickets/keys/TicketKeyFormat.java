package io.github.ossltickets.keys;

/**
 * The ticket key file layouts {@link TicketKeyFiles} reads and writes: those nginx and HAProxy read,
 * so one key-rotation job can serve a mixed fleet.
 */
public enum TicketKeyFormat {
    /**
     * nginx's {@code ssl_session_ticket_key}: one raw key per file. 80 bytes for AES-256: name (16),
     * HMAC key (32), AES key (32); 48 bytes for AES-128: name (16), AES key (16), HMAC key (16). nginx
     * reads them so in {@code ngx_ssl_session_ticket_keys} (src/event/ngx_event_openssl.c). Several files
     * make a list: the first seals, every one opens, and a ticket under any but the first is renewed.
     */
    NGINX,
    /**
     * HAProxy's {@code tls-ticket-keys}: one file, one key per line, each line the base64 of 48 bytes
     * (name 16, AES key 16, HMAC key 16) or 80 bytes (name 16, AES key 32, HMAC key 32), all lines the
     * same size. HAProxy keeps the last three lines as a ring: the second-to-last seals, the last is the
     * next key (published ahead), the one before the previous key; all three open, and a ticket under
     * any but the sealing key is renewed. Rotating means appending a line.
     */
    HAPROXY
}
