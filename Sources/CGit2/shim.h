#ifndef GOCACHE_CGIT2_SHIM_H
#define GOCACHE_CGIT2_SHIM_H
#include <git2.h>
#endif
