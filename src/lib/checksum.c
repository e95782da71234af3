/*
 * Checksums of migration files: SHA-256 (OpenSSL libcrypto) of the text
 * with line endings normalised, so that a checkout with CRLF line endings
 * is never reported as modified. The caller has already dropped a BOM.
 * libcrypto is loaded by the first digest (a status whose files are all
 * in the stat cache computes only the cache's own file name).
 */
#include "common.h"
#include "source.h"
#include "../util/crypto_load.h"

/*
 * OpenSSL 3 looks the algorithm up on every EVP_sha256() init, which
 * costs more than hashing a small file: the context keeps one fetched
 * digest and one digest context for all its checksums.
 */
int strata__checksum_ctx(struct strata_hasher *hs, char out[65],
                         const char *text, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *h;
	size_t start = 0, k;
	int ok;

	if (!hs->md && strata__crypto_load(NULL) < 0)
		return STRATA_ENOTSUPP;
	if (!hs->md &&
	    !(hs->md = strata__crypto.EVP_MD_fetch(NULL, "SHA256", NULL)))
		return STRATA_EINTERNAL;
	if (!hs->h && !(hs->h = strata__crypto.EVP_MD_CTX_new()))
		return STRATA_ENOMEM;
	h = hs->h;
	ok = strata__crypto.EVP_DigestInit_ex(h, hs->md, NULL);
	/* feed runs of bytes between CRs; a CR (alone or before LF) is LF */
	for (k = 0; ok && k < len; k++) {
		if (text[k] != '\r')
			continue;
		ok = strata__crypto.EVP_DigestUpdate(h, text + start,
		                                     k - start) &&
		     strata__crypto.EVP_DigestUpdate(h, "\n", 1);
		if (k + 1 < len && text[k + 1] == '\n')
			k++;
		start = k + 1;
	}
	ok = ok &&
	     strata__crypto.EVP_DigestUpdate(h, text + start, len - start) &&
	     strata__crypto.EVP_DigestFinal_ex(h, md, &mdlen);
	if (!ok || mdlen != 32)
		return STRATA_EINTERNAL;
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	return 0;
}

void strata__hasher_release(struct strata_hasher *hs)
{
	if (!hs->h && !hs->md)
		return; /* libcrypto may not be loaded */
	strata__crypto.EVP_MD_CTX_free(hs->h);
	strata__crypto.EVP_MD_free(hs->md);
	hs->h = NULL;
	hs->md = NULL;
}

int strata__checksum(char out[65], const char *text, size_t len)
{
	struct strata_hasher hs = { NULL, NULL };
	int rc = strata__checksum_ctx(&hs, out, text, len);

	strata__hasher_release(&hs);
	return rc;
}
