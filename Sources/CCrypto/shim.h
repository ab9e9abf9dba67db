#ifndef GOCACHE_CCRYPTO_SHIM_H
#define GOCACHE_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/err.h>
#endif
