/* Handshakes per second on one thread, in memory (BIO pair): the C baseline for scripts/bench.
 *   resume_bench ITERATIONS [tls1.2|tls1.3] [resumed|full] [callbacks|none]
 * Defaults: tls1.3 resumed callbacks. Prints "c PROTOCOL MODE VARIANT ITERATIONS SECONDS RATE", tab
 * separated, after an untimed warm-up of a tenth of the iterations. The Java twin is the JMH benchmark
 * io.github.ossltickets.bench.HandshakeBench (same contexts, callbacks and handshake loop). */
#include <time.h>
#include "common.h"

static const char APP_DATA[] = "user=alice;policy=v1";

static int gen_cb(SSL *s, void *arg)
{
    (void)arg;
    return SSL_SESSION_set1_ticket_appdata(SSL_get_session(s), APP_DATA, sizeof(APP_DATA) - 1);
}

static SSL_TICKET_RETURN dec_cb(SSL *s, SSL_SESSION *ss, const unsigned char *keyname, size_t keyname_length,
                                SSL_TICKET_STATUS status, void *arg)
{
    void *data;
    size_t len;

    (void)s; (void)keyname; (void)keyname_length; (void)arg;
    if (status == SSL_TICKET_SUCCESS || status == SSL_TICKET_SUCCESS_RENEW) {
        if (!SSL_SESSION_get0_ticket_appdata(ss, &data, &len) || len != sizeof(APP_DATA) - 1)
            return SSL_TICKET_RETURN_ABORT;
        return status == SSL_TICKET_SUCCESS ? SSL_TICKET_RETURN_USE : SSL_TICKET_RETURN_USE_RENEW;
    }
    return SSL_TICKET_RETURN_IGNORE_RENEW;
}

/* One connection; returns the client's session (owned) for the next resumption. */
static SSL_SESSION *connect_once(SSL_CTX *sctx, SSL_CTX *cctx, SSL_SESSION *offered)
{
    SSL *server, *client;
    SSL_SESSION *next;

    new_pair(sctx, cctx, offered, &server, &client);
    if (!handshake_pair(server, client) || (offered != NULL && !SSL_session_reused(client)))
        die(offered != NULL ? "resumption" : "handshake");
    next = SSL_get1_session(client); /* TLS 1.3 tickets are single-use: resume with the newest */
    close_pair(server, client);
    return next;
}

static void run(SSL_CTX *sctx, SSL_CTX *cctx, SSL_SESSION **sess, long iterations, int resumed)
{
    long i;

    for (i = 0; i < iterations; i++) {
        SSL_SESSION *next = connect_once(sctx, cctx, resumed ? *sess : NULL);

        if (resumed) {
            SSL_SESSION_free(*sess);
            *sess = next;
        } else {
            SSL_SESSION_free(next);
        }
    }
}

int main(int argc, char **argv)
{
    long iterations = argc > 1 ? atol(argv[1]) : 2000;
    int tls12 = argc > 2 && strcmp(argv[2], "tls1.2") == 0;
    int resumed = !(argc > 3 && strcmp(argv[3], "full") == 0);
    int callbacks = !(argc > 4 && strcmp(argv[4], "none") == 0);
    int version = tls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
    SSL_CTX *sctx = new_context(1, version), *cctx = new_context(0, version);
    SSL_SESSION *sess;
    struct timespec start, end;
    double seconds;

    SSL_CTX_set_num_tickets(sctx, 1);
    if (callbacks && !SSL_CTX_set_session_ticket_cb(sctx, gen_cb, dec_cb, NULL))
        die("SSL_CTX_set_session_ticket_cb");
    sess = connect_once(sctx, cctx, NULL);
    run(sctx, cctx, &sess, iterations / 10 + 1, resumed); /* warm-up */
    clock_gettime(CLOCK_MONOTONIC, &start);
    run(sctx, cctx, &sess, iterations, resumed);
    clock_gettime(CLOCK_MONOTONIC, &end);
    seconds = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    printf("c\t%s\t%s\t%s\t%ld\t%.3f\t%.0f\n", tls12 ? "TLSv1.2" : "TLSv1.3", resumed ? "resumed" : "full",
           callbacks ? "callbacks" : "none", iterations, seconds, iterations / seconds);
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    return 0;
}
