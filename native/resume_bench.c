/* Resumed TLS 1.3 handshakes per second on one thread, in memory, with ticket callbacks installed:
 * the C baseline for scripts/bench-resume. The Java twin is src/test/java/.../ResumePerf.java.
 *   resume_bench ITERATIONS */
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

int main(int argc, char **argv)
{
    long iterations = argc > 1 ? atol(argv[1]) : 2000, i;
    SSL_CTX *sctx = new_context(1, TLS1_3_VERSION), *cctx = new_context(0, TLS1_3_VERSION);
    SSL *server, *client;
    SSL_SESSION *sess;
    struct timespec start, end;
    double seconds;

    SSL_CTX_set_num_tickets(sctx, 1);
    if (!SSL_CTX_set_session_ticket_cb(sctx, gen_cb, dec_cb, NULL))
        die("SSL_CTX_set_session_ticket_cb");
    new_pair(sctx, cctx, NULL, &server, &client);
    if (!handshake_pair(server, client))
        die("first handshake");
    sess = SSL_get1_session(client);
    close_pair(server, client);

    clock_gettime(CLOCK_MONOTONIC, &start);
    for (i = 0; i < iterations; i++) {
        SSL_SESSION *next;

        new_pair(sctx, cctx, sess, &server, &client);
        if (!handshake_pair(server, client) || !SSL_session_reused(client))
            die("resumption");
        next = SSL_get1_session(client); /* TLS 1.3 tickets are single-use: resume with the newest */
        SSL_SESSION_free(sess);
        sess = next;
        close_pair(server, client);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    seconds = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    printf("c\t%ld\t%.3f\t%.0f\n", iterations, seconds, iterations / seconds);
    SSL_SESSION_free(sess);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    return 0;
}
