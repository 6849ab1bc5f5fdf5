/* Workload (d) of scripts/bench: the ticket callbacks alone. Calls a generate and a decrypt callback,
 * as OpenSSL would, n times on one connection and its session, so that the Java benchmark measures the
 * native-to-Java upcall pair and the binding's work in it, without a handshake around it. */
#include <time.h>
#include "common.h"

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

static const char APP_DATA[] = "user=alice;policy=v1";

static int loop_gen(SSL *s, void *arg)
{
    (void)arg;
    return SSL_SESSION_set1_ticket_appdata(SSL_get_session(s), APP_DATA, sizeof(APP_DATA) - 1);
}

static SSL_TICKET_RETURN loop_dec(SSL *s, SSL_SESSION *ss, const unsigned char *keyname, size_t keyname_length,
                                  SSL_TICKET_STATUS status, void *arg)
{
    (void)s; (void)ss; (void)keyname; (void)keyname_length; (void)arg;
    return status == SSL_TICKET_SUCCESS ? SSL_TICKET_RETURN_USE
           : status == SSL_TICKET_SUCCESS_RENEW ? SSL_TICKET_RETURN_USE_RENEW : SSL_TICKET_RETURN_IGNORE_RENEW;
}

/* resume_bench's resumed loop, run inside the JVM's process: what OpenSSL costs there, without the
 * binding (scripts/bench --profile compares it with the standalone C program). Returns handshakes/s. */
double c_resumed_loop(int tls12, long iterations)
{
    int version = tls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
    SSL_CTX *sctx = new_context(1, version), *cctx = new_context(0, version);
    SSL *server, *client;
    SSL_SESSION *sess = NULL;
    struct timespec start, end;
    long i;

    SSL_CTX_set_num_tickets(sctx, 1);
    SSL_CTX_set_session_ticket_cb(sctx, loop_gen, loop_dec, NULL);
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (i = 0; i <= iterations; i++) {
        SSL_SESSION *next;

        if (i == 1)
            clock_gettime(CLOCK_MONOTONIC, &start); /* the first, full handshake is not timed */
        new_pair(sctx, cctx, sess, &server, &client);
        if (!handshake_pair(server, client) || (sess != NULL && !SSL_session_reused(client)))
            return -1;
        next = SSL_get1_session(client);
        SSL_SESSION_free(sess);
        sess = next;
        close_pair(server, client);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    return iterations / ((end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9);
}
