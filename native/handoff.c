/* Stands in for another native library (a server's C core) that is handed an SSL_CTX* by Java, takes
 * its own reference, and runs handshakes with it later, after the Java handle may be closed or
 * collected. LifetimeCases loads it (build/libhandoff.so) to check that the Java callbacks live as long
 * as the native context. */
#include <pthread.h>
#include "common.h"

static SSL_CTX *kept;

/* Keeps a reference to server_ctx, as a library that stores the pointer must. Returns 1 on success. */
int handoff_keep(SSL_CTX *server_ctx)
{
    if (kept != NULL || !SSL_CTX_up_ref(server_ctx))
        return 0;
    kept = server_ctx;
    return 1;
}

/* The kept context, for a Java handle that borrows it from this owner. */
SSL_CTX *handoff_context(void)
{
    return kept;
}

/* With the kept context and a client context of its own: one full handshake, then `resumptions`
 * handshakes, each offering the newest session. Returns how many resumed, or -1 if a handshake failed. */
int handoff_run(int version, int resumptions)
{
    SSL_CTX *client_ctx = new_context(0, version);
    SSL_SESSION *session = NULL;
    SSL *server, *client;
    int round, resumed = 0;

    for (round = 0; round <= resumptions; round++) {
        new_pair(kept, client_ctx, session, &server, &client);
        if (!handshake_pair(server, client)) {
            close_pair(server, client);
            resumed = -1;
            break;
        }
        resumed += round > 0 && SSL_session_reused(client);
        SSL_SESSION_free(session);
        session = SSL_get1_session(client);
        close_pair(server, client);
    }
    SSL_SESSION_free(session);
    SSL_CTX_free(client_ctx);
    return resumed;
}

/* Drops the kept reference; OpenSSL frees the context if it was the last one. */
void handoff_release(void)
{
    SSL_CTX_free(kept);
    kept = NULL;
}

static void *release_kept(void *unused)
{
    (void)unused;
    handoff_release();
    return NULL;
}

/* handoff_release on a thread the JVM has never seen, as a native server's own thread would free it. */
int handoff_release_on_native_thread(void)
{
    pthread_t thread;

    if (pthread_create(&thread, NULL, release_kept, NULL) != 0)
        return 0;
    return pthread_join(thread, NULL) == 0;
}
