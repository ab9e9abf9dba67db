// libgit2's TLS certificate bundle, not parsed at start (see include/CExecutableShims.h).
//
// libgit2 built with mbedTLS (Debian's libgit2 1.5) parses the whole system CA bundle
// (/etc/ssl/certs/ca-certificates.crt, ~140 certificates) inside git_libgit2_init: ~9 ms of
// every gocache start, for HTTPS transports gocache never uses — it reads local repositories
// only (no fetch, clone or push). This definition of mbedTLS's loader takes precedence over
// libmbedx509's for the whole process and loads nothing: were libgit2 ever to open an HTTPS
// connection in this executable, it would trust no certificate and refuse the connection
// (fails closed). libcurl, which the remote cache uses, verifies with OpenSSL, not mbedTLS.
// A libgit2 built with OpenSSL never calls this.

#ifdef __linux__

/// Always "loaded, no certificate" (0). The chain argument is an `mbedtls_x509_crt *`.
int mbedtls_x509_crt_parse_file(void *chain, const char *path);

int mbedtls_x509_crt_parse_file(void *chain, const char *path) {
    (void)chain;
    (void)path;
    return 0;
}

#endif
