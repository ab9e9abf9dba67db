#ifndef GOCACHE_CDEFLATE_SHIM_H
#define GOCACHE_CDEFLATE_SHIM_H
#include <libdeflate.h>
#endif
