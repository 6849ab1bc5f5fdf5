/* Workload (d) of scripts/bench: the ticket callbacks alone. Calls a generate and a decrypt callback,
 * as OpenSSL would, n times on one connection and its session, so that the Java benchmark measures the
 * native-to-Java upcall pair and the binding's work in it, without a handshake around it. */
#include <openssl/ssl.h>

long upcall_pairs(SSL_CTX_generate_session_ticket_fn gen, SSL_CTX_decrypt_session_ticket_fn dec, SSL *s,
                  SSL_SESSION *ss, long n)
{
    static const unsigned char keyname[16];
    long i;

    for (i = 0; i < n; i++) {
        if (gen(s, NULL) != 1)
            return -1;
        if (dec(s, ss, keyname, sizeof(keyname), SSL_TICKET_SUCCESS, NULL) != SSL_TICKET_RETURN_USE)
            return -1;
    }
    return n;
}
