/* Prints the header value of every constant that LibSsl.java and LibCrypto.java declare, one "NAME VALUE"
 * a line. ConstantsTest compares them. Add a line here when either class gains a constant. */
#include <stdio.h>
#include <openssl/ssl.h>
#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#define P(name) printf("%s %lld\n", #name, (long long)(name))

int main(void)
{
    P(SSL_TICKET_FATAL_ERR_MALLOC);
    P(SSL_TICKET_FATAL_ERR_OTHER);
    P(SSL_TICKET_NONE);
    P(TLSEXT_NAMETYPE_host_name);
    P(SSL_CTRL_SET_TLSEXT_HOSTNAME);
    P(SSL_TICKET_EMPTY);
    P(SSL_TICKET_NO_DECRYPT);
    P(SSL_TICKET_SUCCESS);
    P(SSL_TICKET_SUCCESS_RENEW);
    P(SSL_TICKET_RETURN_ABORT);
    P(SSL_TICKET_RETURN_IGNORE);
    P(SSL_TICKET_RETURN_IGNORE_RENEW);
    P(SSL_TICKET_RETURN_USE);
    P(SSL_TICKET_RETURN_USE_RENEW);
    P(SSL_CTRL_SET_SESS_CACHE_MODE);
    P(SSL_CTRL_SET_TLSEXT_TICKET_KEYS);
    P(SSL_CTRL_GET_TLSEXT_TICKET_KEYS);
    P(SSL_CTRL_SET_TLSEXT_TICKET_KEY_CB);
    P(SSL_CTRL_SET_MIN_PROTO_VERSION);
    P(SSL_CTRL_SET_MAX_PROTO_VERSION);
    P(SSL_CTRL_MODE);
    P(SSL_CTRL_GET_SESS_CACHE_MODE);
    P(SSL_OP_NO_TICKET);
    P(SSL_OP_IGNORE_UNEXPECTED_EOF);
    P(SSL_CTRL_CHAIN_CERT);
    P(ERR_LIB_PEM);
    P(PEM_R_NO_START_LINE);
    P(SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    P(SSL_SESS_CACHE_OFF);
    P(SSL_SESS_CACHE_SERVER);
    P(TLS1_2_VERSION);
    P(TLS1_3_VERSION);
    P(SSL_ERROR_NONE);
    P(SSL_ERROR_SSL);
    P(SSL_ERROR_WANT_READ);
    P(SSL_ERROR_WANT_WRITE);
    P(SSL_ERROR_SYSCALL);
    P(SSL_ERROR_ZERO_RETURN);
    P(SSL3_RT_ALERT);
    P(SSL3_RT_HANDSHAKE);
    P(SSL3_MT_NEWSESSION_TICKET);
    P(SSL3_AL_FATAL);
    P(SSL_ERROR_WANT_X509_LOOKUP);
    P(SSL_ERROR_WANT_CONNECT);
    P(SSL_ERROR_WANT_ACCEPT);
    P(CRYPTO_EX_INDEX_SSL_CTX);
    P(MBSTRING_UTF8);
    P(BIO_C_SHUTDOWN_WR);
    return 0;
}
