#ifndef GOCACHE_CEXECUTABLESHIMS_H
#define GOCACHE_CEXECUTABLESHIMS_H

// What the gocache executable — not the GraphCore, CacheStore and GoBuild libraries, whose
// embedders keep their libraries' usual behaviour — overrides at link time so a process
// starts sooner. Every gocache command is a short process; a warm `gocache affected` takes
// ~50 ms, of which these two saved ~12 ms. Both definitions take precedence because the
// executable exports its symbols (-export-dynamic, see Package.swift).
//
// - lazy_curl.c: libcurl opened on first use (below).
// - libgit2_certificates.c: libgit2's TLS certificate bundle not parsed at start.

/// Loads libcurl on first use instead of at process start.
///
/// FoundationNetworking's URLSession is built on libcurl. Linked normally, libcurl and the ~20
/// shared libraries it needs (GnuTLS, Kerberos, LDAP, RTMP, nghttp2…) are mapped and relocated
/// by the dynamic loader on every start (~5 ms), although only a remote cache uses HTTP.
/// lazy_curl.c defines the curl functions FoundationNetworking calls; each forwards to libcurl,
/// which the first call (or this function) opens with dlopen: $GOCACHE_LIBCURL if set, else
/// libcurl.so.4, else libcurl-gnutls.so.4. The release build drops FoundationNetworking's
/// `-lcurl` (RELEASE_FLAGS in the Makefile); other builds still link libcurl and forward to it.
///
/// Returns NULL once libcurl is loaded, or a message saying why it cannot be (then every
/// forwarding function would abort: call this first and do without HTTP when it fails).
const char *_Nullable gocache_curl_load(void);

#endif
