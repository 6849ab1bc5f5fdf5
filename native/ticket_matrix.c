/* The scenario matrix through plain OpenSSL calls and C callbacks, printed as TSV. Its Java twin is
 * `scripts/ossl-tickets matrix` (io.github.ossltickets.cli.Matrix); MatrixDifferentialIT requires the
 * two outputs to be identical. Each scenario: a full handshake, a proper shutdown, then a second
 * connection offering the first one's ticket (for case=empty the first connection is the one measured). */
#include <openssl/rand.h>
#include <openssl/core_names.h>
#include "common.h"

static const char APP_DATA[] = "Hello World";
/* Exactly 16 bytes and no NUL: a string initializer would not fit its terminator (GCC 15+ errors on that). */
static const unsigned char KEY_NAME[16] = {'o', 's', 's', 'l', '-', 't', 'i', 'c', 'k', 'e', 't', 's', '-', 'k', 'e', 'y'};
static const unsigned char HMAC_KEY[32] = "matrix hmac key, 32 bytes long!";
static const unsigned char AES_KEY[32] = "matrix aes key, 32 bytes long!!";

static const char *RETURNS[] = {"ABORT", "IGNORE", "IGNORE_RENEW", "USE", "USE_RENEW"};
static const char *STATUSES[] = {"FATAL_ERR_MALLOC", "FATAL_ERR_OTHER", "NONE", "EMPTY", "NO_DECRYPT", "SUCCESS",
                                 "SUCCESS_RENEW"};

/* What the callbacks saw on the connection being measured. */
static struct {
    int measuring, empty_case, key_renew, dec_return;
    char status[128];
    long keyname_len;
    char appdata[128];
    int gen_calls, tickets, alert;
} o;

static int gen_cb(SSL *s, void *arg)
{
    (void)arg;
    if (o.measuring)
        o.gen_calls++;
    return SSL_SESSION_set1_ticket_appdata(SSL_get_session(s), APP_DATA, strlen(APP_DATA));
}

static SSL_TICKET_RETURN dec_cb(SSL *s, SSL_SESSION *ss, const unsigned char *keyname, size_t keyname_length,
                                SSL_TICKET_STATUS status, void *arg)
{
    void *data;
    size_t len;

    (void)s; (void)keyname; (void)arg;
    if (o.measuring) {
        size_t used = strlen(o.status);

        /* One entry per PSK offered; bounded, so many offers truncate instead of overflowing. */
        snprintf(o.status + used, sizeof(o.status) - used, "%s%s", used > 0 ? "," : "", STATUSES[status]);
        o.keyname_len = (long)keyname_length;
        if (ss != NULL && SSL_SESSION_get0_ticket_appdata(ss, &data, &len) && len > 0 && len < sizeof(o.appdata)) {
            memcpy(o.appdata, data, len);
            o.appdata[len] = '\0';
        }
    }
    if (status == SSL_TICKET_EMPTY && !o.empty_case)
        return SSL_TICKET_RETURN_IGNORE_RENEW;
    return o.dec_return;
}

/* The EVP ticket key callback: one fixed key, AES-256-CBC and HMAC-SHA256, use (1) or renew (2). */
static int key_cb(SSL *s, unsigned char *key_name, unsigned char *iv, EVP_CIPHER_CTX *ctx, EVP_MAC_CTX *hctx,
                  int enc)
{
    OSSL_PARAM params[2];

    (void)s;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (enc) {
        memcpy(key_name, KEY_NAME, 16);
        if (RAND_bytes(iv, 16) != 1)
            return -1;
    } else if (memcmp(key_name, KEY_NAME, 16) != 0) {
        return 0;
    }
    if (!EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), NULL, AES_KEY, iv, enc)
        || !EVP_MAC_init(hctx, HMAC_KEY, sizeof(HMAC_KEY), params))
        return -1;
    return enc || !o.key_renew ? 1 : 2;
}

/* Counts the NewSessionTickets the client receives and the fatal alert the server sends. */
static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl, void *arg)
{
    const unsigned char *b = buf;

    (void)version; (void)ssl;
    if (!o.measuring || len < 2)
        return;
    if (arg == NULL && !write_p && content_type == SSL3_RT_HANDSHAKE && b[0] == SSL3_MT_NEWSESSION_TICKET)
        o.tickets++;
    if (arg != NULL && write_p && content_type == SSL3_RT_ALERT && b[0] == SSL3_AL_FATAL && o.alert < 0)
        o.alert = b[1];
}

static SSL_CTX *server_context(int version, const char *key_mode)
{
    SSL_CTX *ctx = new_context(1, version);

    if (!SSL_CTX_set_session_ticket_cb(ctx, gen_cb, dec_cb, NULL))
        die("SSL_CTX_set_session_ticket_cb");
    if (strcmp(key_mode, "builtin") != 0 && !SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, key_cb))
        die("SSL_CTX_set_tlsext_ticket_key_evp_cb");
    return ctx;
}

/* One connection; the client's session is returned in *out if out is not NULL. */
static int connect_once(SSL_CTX *sctx, SSL_CTX *cctx, SSL_SESSION *offer, SSL_SESSION **out, int *reused)
{
    SSL *server, *client;
    int ok;

    new_pair(sctx, cctx, offer, &server, &client);
    SSL_set_msg_callback(client, msg_cb);
    SSL_set_msg_callback(server, msg_cb);
    SSL_set_msg_callback_arg(server, server); /* non-NULL arg marks the server side */
    ok = handshake_pair(server, client);
    *reused = SSL_session_reused(client);
    if (out != NULL)
        *out = SSL_get1_session(client);
    close_pair(server, client);
    return ok;
}

static void scenario(const char *kase, int version, const char *key_mode, int dec_return, SSL_CTX *cctx)
{
    SSL_CTX *sctx = server_context(version, key_mode);
    SSL_CTX *issuer = strcmp(kase, "foreign") == 0 ? server_context(version, "builtin") : NULL;
    SSL_SESSION *ticket = NULL;
    int ok, reused;
    char alert[64] = "-";

    memset(&o, 0, sizeof(o));
    o.alert = -1;
    o.empty_case = strcmp(kase, "empty") == 0;
    o.key_renew = strcmp(key_mode, "keycb-renew") == 0;
    o.dec_return = dec_return;
    if (!o.empty_case && !connect_once(issuer != NULL ? issuer : sctx, cctx, NULL, &ticket, &reused))
        die("first connection");
    o.measuring = 1;
    ok = connect_once(sctx, cctx, ticket, NULL, &reused);
    if (o.alert >= 0) {
        char *c;
        snprintf(alert, sizeof(alert), "%s", SSL_alert_desc_string_long(o.alert));
        for (c = alert; *c != '\0'; c++)
            if (*c == ' ')
                *c = '_';
    }
    printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t", kase, version == TLS1_3_VERSION ? "TLSv1.3" : "TLSv1.2", key_mode,
           RETURNS[dec_return], ok ? "ok" : "failed", reused ? "yes" : "no", o.status[0] ? o.status : "-");
    if (o.status[0])
        printf("%ld", o.keyname_len);
    else
        printf("-");
    printf("\t%s\t%d\t%d\t%s\n", o.appdata[0] ? o.appdata : "-", o.gen_calls, o.tickets, alert);
    SSL_SESSION_free(ticket);
    SSL_CTX_free(sctx);
    SSL_CTX_free(issuer);
}

int main(void)
{
    static const int versions[] = {TLS1_2_VERSION, TLS1_3_VERSION};
    static const char *key_modes[] = {"builtin", "keycb-use", "keycb-renew"};
    int v, k, r;

    printf("case\ttls\tkey_mode\tdec_return\thandshake\treused\tstatus\tkeyname_len\tappdata\tgen_calls\ttickets\talert\n");
    for (v = 0; v < 2; v++) {
        SSL_CTX *cctx = new_context(0, versions[v]);
        for (k = 0; k < 3; k++)
            for (r = 0; r < 5; r++)
                scenario("valid", versions[v], key_modes[k], r, cctx);
        SSL_CTX_free(cctx);
    }
    for (v = 0; v < 2; v++) {
        SSL_CTX *cctx = new_context(0, versions[v]);
        for (r = 0; r < 5; r++)
            scenario("foreign", versions[v], "builtin", r, cctx);
        SSL_CTX_free(cctx);
    }
    {
        SSL_CTX *cctx = new_context(0, TLS1_2_VERSION);
        for (r = 0; r < 5; r++)
            scenario("empty", TLS1_2_VERSION, "builtin", r, cctx);
        SSL_CTX_free(cctx);
    }
    return 0;
}
