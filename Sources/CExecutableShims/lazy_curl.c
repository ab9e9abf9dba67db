// Forwarding definitions of the libcurl functions FoundationNetworking calls (see
// include/CExecutableShims.h). The variadic setters take one argument after the option — a long,
// a pointer or a curl_off_t, all passed as one 64-bit word — forwarded as such.
// Linux only: elsewhere FoundationNetworking is not built on libcurl.
#ifdef __linux__

#define CURL_DISABLE_TYPECHECK 1
// curl_url_get's handle became `const CURLU *` in later libcurl releases: its declaration is
// renamed away so the definition below fits every header (the ABI is the same).
#define curl_url_get gocache_declared_curl_url_get
#include <curl/curl.h>
#undef curl_url_get
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "CExecutableShims.h"

#define GOCACHE_CURL_FUNCTIONS(X) \
    X(curl_easy_cleanup, void, (CURL *handle), (handle)) \
    X(curl_easy_init, CURL *, (void), ()) \
    X(curl_easy_pause, CURLcode, (CURL *handle, int bitmask), (handle, bitmask)) \
    X(curl_easy_strerror, const char *, (CURLcode code), (code)) \
    X(curl_free, void, (void *pointer), (pointer)) \
    X(curl_global_init, CURLcode, (long flags), (flags)) \
    X(curl_multi_add_handle, CURLMcode, (CURLM *multi, CURL *easy), (multi, easy)) \
    X(curl_multi_assign, CURLMcode, (CURLM *multi, curl_socket_t socket, void *pointer), (multi, socket, pointer)) \
    X(curl_multi_cleanup, CURLMcode, (CURLM *multi), (multi)) \
    X(curl_multi_info_read, CURLMsg *, (CURLM *multi, int *queued), (multi, queued)) \
    X(curl_multi_init, CURLM *, (void), ()) \
    X(curl_multi_remove_handle, CURLMcode, (CURLM *multi, CURL *easy), (multi, easy)) \
    X(curl_multi_socket_action, CURLMcode, (CURLM *multi, curl_socket_t socket, int mask, int *running), \
      (multi, socket, mask, running)) \
    X(curl_slist_append, struct curl_slist *, (struct curl_slist *list, const char *string), (list, string)) \
    X(curl_slist_free_all, void, (struct curl_slist *list), (list)) \
    X(curl_url, CURLU *, (void), ()) \
    X(curl_url_get, CURLUcode, (CURLU *url, CURLUPart part, char **content, unsigned int flags), \
      (url, part, content, flags)) \
    X(curl_url_set, CURLUcode, (CURLU *url, CURLUPart part, const char *content, unsigned int flags), \
      (url, part, content, flags)) \
    X(curl_version, char *, (void), ()) \
    X(curl_version_info, curl_version_info_data *, (CURLversion version), (version))

#define GOCACHE_CURL_SETTERS(X) \
    X(curl_easy_setopt, CURLcode, CURL, CURLoption) \
    X(curl_easy_getinfo, CURLcode, CURL, CURLINFO) \
    X(curl_multi_setopt, CURLMcode, CURLM, CURLMoption)

#define DECLARE_POINTER(name, result, parameters, arguments) static result(*real_##name) parameters;
GOCACHE_CURL_FUNCTIONS(DECLARE_POINTER)
#define DECLARE_SETTER_POINTER(name, result, handle, option) static result (*real_##name)(handle *, option, ...);
GOCACHE_CURL_SETTERS(DECLARE_SETTER_POINTER)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512];
static int loaded;

static void load(void) {
    // RTLD_LOCAL: libcurl's symbols stay out of the global scope, so the definitions below are
    // the only curl_* names FoundationNetworking sees; each real one is looked up in libcurl.
    // $GOCACHE_LIBCURL names another file (an unusual install, or a test of the fallback);
    // otherwise the OpenSSL flavour, then the GnuTLS one (same ABI).
    const char *chosen = getenv("GOCACHE_LIBCURL");
    const char *candidates[] = {"libcurl.so.4", "libcurl-gnutls.so.4"};
    void *library = NULL;
    if (chosen != NULL && chosen[0] != 0) {
        library = dlopen(chosen, RTLD_NOW | RTLD_LOCAL);
    } else {
        for (size_t i = 0; i < sizeof candidates / sizeof candidates[0] && library == NULL; i++) {
            chosen = candidates[i];
            library = dlopen(chosen, RTLD_NOW | RTLD_LOCAL);
        }
    }
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(failure, sizeof failure, "cannot load %s (%s)", chosen, reason ? reason : "not found");
        return;
    }
#define RESOLVE(name, ...) \
    *(void **)(&real_##name) = dlsym(library, #name); \
    if (real_##name == NULL) { \
        snprintf(failure, sizeof failure, "%s lacks %s", chosen, #name); \
        return; \
    }
    GOCACHE_CURL_FUNCTIONS(RESOLVE)
    GOCACHE_CURL_SETTERS(RESOLVE)
#undef RESOLVE
    __atomic_store_n(&loaded, 1, __ATOMIC_RELEASE);
}

const char *gocache_curl_load(void) {
    pthread_once(&once, load);
    return loaded ? NULL : failure;
}

static void require(void) {
    if (__atomic_load_n(&loaded, __ATOMIC_ACQUIRE)) return;
    const char *reason = gocache_curl_load();
    if (reason != NULL) {
        fprintf(stderr, "error: %s\nhelp: install libcurl 4 (Debian: apt-get install libcurl4)\n", reason);
        abort();
    }
}

#define DEFINE_FORWARDER(name, result, parameters, arguments) \
    result name parameters { \
        require(); \
        return real_##name arguments; \
    }
GOCACHE_CURL_FUNCTIONS(DEFINE_FORWARDER)

#define DEFINE_SETTER(name, result, handle, option) \
    result name(handle *target, option which, ...) { \
        require(); \
        va_list list; \
        va_start(list, which); \
        void *argument = va_arg(list, void *); \
        va_end(list); \
        return real_##name(target, which, argument); \
    }
GOCACHE_CURL_SETTERS(DEFINE_SETTER)

#else

#include "CExecutableShims.h"

const char *gocache_curl_load(void) { return 0; }

#endif
