#ifndef GOCACHE_CZLIB_SHIM_H
#define GOCACHE_CZLIB_SHIM_H
#include <zlib.h>
#endif
