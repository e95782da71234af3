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
struct strata_crypto_sha256 strata__crypto_sha256;

static const char *const names[] = { STRATA_CRYPTO_FUNCS(STRATA_DL_NAME) };
STRATA_DL_CHECK(struct strata_crypto, names);
static const char *const sha256_names[] = { STRATA_CRYPTO_SHA256_FUNCS(
	STRATA_DL_NAME) };
STRATA_DL_CHECK(struct strata_crypto_sha256, sha256_names);

static struct strata_dl lib = {
	.file = STRATA_LIBCRYPTO_SONAME,
	.env = "STRATA_LIBCRYPTO",
	.what = "OpenSSL's libcrypto",
	.package = STRATA_LIBCRYPTO_PACKAGE,
	.names = names,
	.n = sizeof(names) / sizeof(names[0]),
	.table = &strata__crypto,
	.optional = sha256_names,
	.n_optional = sizeof(sha256_names) / sizeof(sha256_names[0]),
	.optional_table = &strata__crypto_sha256,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

int strata__crypto_load(const char **why)
{
	return strata__dl_load(&lib, why);
}

int strata__sha256(const void *data, size_t len, unsigned char md[32])
{
	const struct strata_crypto_sha256 *low = &strata__crypto_sha256;
	unsigned int mdlen = 0;
	SHA256_CTX c;

	if (low->SHA256_Init)
		return low->SHA256_Init(&c) &&
		                       low->SHA256_Update(&c, data, len) &&
		                       low->SHA256_Final(md, &c) ?
		               0 :
		               -1;
	return strata__crypto.EVP_Digest(data, len, md, &mdlen,
	                                 strata__crypto.EVP_sha256(),
	                                 NULL) == 1 &&
	                       mdlen == 32 ?
	               0 :
	               -1;
}
