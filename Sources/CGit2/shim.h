#ifndef GOCACHE_CGIT2_SHIM_H
#define GOCACHE_CGIT2_SHIM_H
#include <git2.h>

/*
 * Only what Swift cannot call directly lives here: git_libgit2_opts is variadic.
 * Each wrapper passes exactly the arguments its option documents in git2/common.h.
 */

/* opts(GIT_OPT_SET_EXTENSIONS, const char **extensions, size_t len) */
static inline int gocache_git_set_extensions(const char **extensions, size_t count) {
    return git_libgit2_opts(GIT_OPT_SET_EXTENSIONS, extensions, count);
}

/* opts(GIT_OPT_SET_OWNER_VALIDATION, int enabled) */
static inline int gocache_git_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}

#endif
