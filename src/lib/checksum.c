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
 * The digest being fed: SHA-256's own functions when libcrypto has them
 * (see crypto_load.h), otherwise EVP. OpenSSL 3 looks the algorithm up
 * on every EVP_sha256() init, which costs more than hashing a small
 * file: the EVP way keeps one fetched digest and one context in the
 * hasher for all its checksums.
 */
struct feed {
	SHA256_CTX low;
	EVP_MD_CTX *evp;
};

static int feed_start(struct feed *f, struct strata_hasher *hs)
{
	const struct strata_crypto_sha256 *low = &strata__crypto_sha256;

	if (low->SHA256_Init) {
		f->evp = NULL;
		return low->SHA256_Init(&f->low) ? 0 : STRATA_EINTERNAL;
	}
	if (!hs->md &&
	    !(hs->md = strata__crypto.EVP_MD_fetch(NULL, "SHA256", NULL)))
		return STRATA_EINTERNAL;
	if (!hs->h && !(hs->h = strata__crypto.EVP_MD_CTX_new()))
		return STRATA_ENOMEM;
	f->evp = hs->h;
	return strata__crypto.EVP_DigestInit_ex(f->evp, hs->md, NULL) ?
	               0 :
	               STRATA_EINTERNAL;
}

static int feed(struct feed *f, const char *p, size_t n)
{
	return f->evp ? strata__crypto.EVP_DigestUpdate(f->evp, p, n) :
	                strata__crypto_sha256.SHA256_Update(&f->low, p, n);
}

static int feed_end(struct feed *f, unsigned char md[32])
{
	unsigned int mdlen = 0;

	if (!f->evp)
		return strata__crypto_sha256.SHA256_Final(md, &f->low);
	return strata__crypto.EVP_DigestFinal_ex(f->evp, md, &mdlen) &&
	       mdlen == 32;
}

int strata__checksum_ctx(struct strata_hasher *hs, char out[65],
                         const char *text, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	struct feed f;
	size_t start = 0, k, i;
	int ok, rc;

	if (strata__crypto_load(NULL) < 0)
		return STRATA_ENOTSUPP;
	rc = feed_start(&f, hs);
	if (rc < 0)
		return rc;
	/* feed runs of bytes between CRs; a CR (alone or before LF) is LF */
	ok = 1;
	for (k = 0; ok && k < len; k++) {
		if (text[k] != '\r')
			continue;
		ok = feed(&f, text + start, k - start) && feed(&f, "\n", 1);
		if (k + 1 < len && text[k + 1] == '\n')
			k++;
		start = k + 1;
	}
	ok = ok && feed(&f, text + start, len - start) && feed_end(&f, md);
	if (!ok)
		return STRATA_EINTERNAL;
	for (i = 0; i < 32; i++) {
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
