/*
 * libcrypto at run time. STRATA_LIBCRYPTO_SONAME is the SONAME of the
 * libcrypto the build found (Makefile); STRATA_LIBCRYPTO names another
 * file.
 */
#include "crypto_load.h"

#ifndef STRATA_LIBCRYPTO_SONAME
# define STRATA_LIBCRYPTO_SONAME "libcrypto.so.3"
#endif
#ifndef STRATA_LIBCRYPTO_PACKAGE
# define STRATA_LIBCRYPTO_PACKAGE "libssl3"
#endif

struct strata_crypto strata__crypto;

static const char *const names[] = { STRATA_CRYPTO_FUNCS(STRATA_DL_NAME) };
STRATA_DL_CHECK(struct strata_crypto, names);

static struct strata_dl lib = {
	.file = STRATA_LIBCRYPTO_SONAME,
	.env = "STRATA_LIBCRYPTO",
	.what = "OpenSSL's libcrypto",
	.package = STRATA_LIBCRYPTO_PACKAGE,
	.names = names,
	.n = sizeof(names) / sizeof(names[0]),
	.table = &strata__crypto,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

int strata__crypto_load(const char **why)
{
	return strata__dl_load(&lib, why);
}
