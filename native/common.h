/* Helpers shared by the C reference programs: a self-signed certificate, contexts, and an in-memory
 * handshake over a BIO pair, done the way the Java binding's InMemoryConnection does it. */
#ifndef OSSL_TICKETS_COMMON_H
#define OSSL_TICKETS_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

static void die(const char *what)
{
    fprintf(stderr, "%s failed\n", what);
    ERR_print_errors_fp(stderr);
    exit(2);
}

/* A P-256 key and a self-signed certificate for CN=localhost, loaded into ctx. */
static void use_self_signed(SSL_CTX *ctx)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *name;

    if (key == NULL || x == NULL)
        die("key generation");
    name = X509_get_subject_name(x);
    if (!X509_set_version(x, 2) || !ASN1_INTEGER_set(X509_get_serialNumber(x), 1)
        || X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL
        || X509_gmtime_adj(X509_getm_notAfter(x), 30L * 24 * 3600) == NULL
        || !X509_set_pubkey(x, key)
        || !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0)
        || !X509_set_issuer_name(x, name) || !X509_sign(x, key, EVP_sha256())
        || !SSL_CTX_use_certificate(ctx, x) || !SSL_CTX_use_PrivateKey(ctx, key))
        die("self-signed certificate");
    X509_free(x);
    EVP_PKEY_free(key);
}

/* A server (cache off, so only tickets resume) or client context for exactly one version. */
static SSL_CTX *new_context(int server, int version)
{
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());

    if (ctx == NULL || !SSL_CTX_set_min_proto_version(ctx, version)
        || !SSL_CTX_set_max_proto_version(ctx, version))
        die("SSL_CTX_new");
    if (server) {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
        use_self_signed(ctx);
    }
    return ctx;
}

/* A server and a client joined by a BIO pair; the client offers sess unless it is NULL. */
static void new_pair(SSL_CTX *sctx, SSL_CTX *cctx, SSL_SESSION *sess, SSL **server, SSL **client)
{
    BIO *sbio, *cbio;

    *server = SSL_new(sctx);
    *client = SSL_new(cctx);
    if (*server == NULL || *client == NULL || !BIO_new_bio_pair(&cbio, 0, &sbio, 0))
        die("SSL_new");
    SSL_set_bio(*client, cbio, cbio);
    SSL_set_bio(*server, sbio, sbio);
    SSL_set_accept_state(*server);
    SSL_set_connect_state(*client);
    if (sess != NULL && !SSL_set_session(*client, sess))
        die("SSL_set_session");
}

/* One step of one side: the handshake, or once finished a one-byte read that drains what the peer sent.
 * Returns 1 when done, 0 when it needs the peer, -1 on failure. */
static int step(SSL *ssl, int done)
{
    unsigned char byte;
    int ret, err;

    ERR_clear_error();
    ret = done ? SSL_read(ssl, &byte, 1) : SSL_do_handshake(ssl);
    if (ret > 0)
        return done ? -1 : 1; /* application data during the handshake is a failure */
    err = SSL_get_error(ssl, ret);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
        return done;
    return -1;
}

/* Both handshakes to the end, then one client read for TLS 1.3 tickets. Returns 1 on success. */
static int handshake_pair(SSL *server, SSL *client)
{
    int sdone = 0, cdone = 0, round, r;

    for (round = 0; round < 64 && !(sdone && cdone); round++) {
        if ((r = step(client, cdone)) < 0) {
            step(server, sdone); /* let the server read the client's alert */
            return 0;
        }
        cdone = r;
        if ((r = step(server, sdone)) < 0) {
            step(client, cdone); /* let the client read the server's alert */
            return 0;
        }
        sdone = r;
    }
    return sdone && cdone && step(client, 1) >= 0;
}

/* A proper shutdown before the free, so the session stays resumable
 * (docs/openssl-behaviour.md#a-failed-handshake-spoils-the-session-it-offered). */
static void close_pair(SSL *server, SSL *client)
{
    if (SSL_is_init_finished(client))
        SSL_shutdown(client);
    SSL_free(client);
    if (SSL_is_init_finished(server))
        SSL_shutdown(server);
    SSL_free(server);
    ERR_clear_error();
}

#endif
