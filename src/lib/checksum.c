/*
 * Checksums of migration files: SHA-256 (OpenSSL libcrypto) of the text
 * with line endings normalised, so that a checkout with CRLF line endings
 * is never reported as modified. The caller has already dropped a BOM.
 */
#include <openssl/evp.h>

#include "common.h"
#include "source.h"

int strata__checksum(char out[65], const char *text, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	size_t start = 0, k;
	int ok;

	if (!h)
		return STRATA_ENOMEM;
	ok = EVP_DigestInit_ex(h, EVP_sha256(), NULL);
	/* feed runs of bytes between CRs; a CR (alone or before LF) is LF */
	for (k = 0; ok && k < len; k++) {
		if (text[k] != '\r')
			continue;
		ok = EVP_DigestUpdate(h, text + start, k - start) &&
		     EVP_DigestUpdate(h, "\n", 1);
		if (k + 1 < len && text[k + 1] == '\n')
			k++;
		start = k + 1;
	}
	ok = ok && EVP_DigestUpdate(h, text + start, len - start) &&
	     EVP_DigestFinal_ex(h, md, &mdlen);
	EVP_MD_CTX_free(h);
	if (!ok || mdlen != 32)
		return STRATA_EINTERNAL;
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	return 0;
}
