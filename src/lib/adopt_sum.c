/*
 * The checksums other tools record, computed as each tool computes them,
 * so that `adopt` can prove a file is the one that was applied: Flyway's
 * CRC32 of the lines (zlib's crc32 is java.util.zip.CRC32), sqlx's
 * SHA-384, Prisma's SHA-256 and the plain digests of a migrate.sh table
 * (libcrypto).
 */
#include <errno.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "common.h"
#include "ctx.h"
#include "adopt.h"
#include "../util/crypto_load.h"

/* A migration file may hold 256 MiB (source.c); the same bound here. */
#define SUM_MAX_FILE (256u * 1024 * 1024)

static int read_raw(strata_ctx *ctx, const char *path, strata_buf *out)
{
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	int rc = 0;

	if (fd < 0) {
		strata__error_set(ctx, STRATA_EIO, "cannot read: %s",
		                  strerror(errno));
		strata__error_at(ctx, path, 0, 0);
		return STRATA_EIO;
	}
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			strata__error_set(ctx, STRATA_EIO, "cannot read: %s",
			                  strerror(errno));
			strata__error_at(ctx, path, 0, 0);
			rc = STRATA_EIO;
			break;
		}
		if (r == 0)
			break;
		if (out->len + (size_t)r > SUM_MAX_FILE) {
			strata__error_set(ctx, STRATA_EPARSE, "too large");
			strata__error_at(ctx, path, 0, 0);
			rc = STRATA_EPARSE;
			break;
		}
		if (strata__buf_put(out, chunk, (size_t)r) < 0) {
			rc = strata__oom(ctx);
			break;
		}
	}
	close(fd);
	return rc;
}

/*
 * Flyway's ChecksumCalculator: CRC32 over the UTF-8 bytes of each line,
 * its terminator (\n, \r or \r\n) left out, the byte order mark dropped
 * from the first; stored as a signed 32-bit int. Lines joined are the
 * text without its CR and LF bytes, so that is what is fed.
 */
static long flyway_crc32(const char *p, size_t n)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	size_t i = 0, start;

	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < n) {
		start = i;
		while (i < n && p[i] != '\n' && p[i] != '\r')
			i++;
		if (i > start)
			crc = crc32(crc, (const Bytef *)p + start,
			            (uInt)(i - start));
		while (i < n && (p[i] == '\n' || p[i] == '\r'))
			i++;
	}
	return (long)(int32_t)(uint32_t)crc;
}

static int digest_hex(strata_ctx *ctx, const char *algo, const char *p,
                      size_t n, strata_buf *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;
	const char *why = NULL;
	EVP_MD *md_algo;
	int ok;

	if (strata__crypto_load(&why) < 0)
		return strata__error_set(ctx, STRATA_ENOTSUPP, "%s", why);
	md_algo = strata__crypto.EVP_MD_fetch(NULL, algo, NULL);
	if (!md_algo)
		return strata__error_set(ctx, STRATA_ENOTSUPP,
		                         "libcrypto has no %s", algo);
	ok = strata__crypto.EVP_Digest(p, n, md, &len, md_algo, NULL) == 1;
	strata__crypto.EVP_MD_free(md_algo);
	if (!ok)
		return strata__error_set(ctx, STRATA_EINTERNAL,
		                         "%s digest failed", algo);
	strata__buf_clear(out);
	for (i = 0; i < len; i++)
		if (strata__buf_printf(out, "%02x", md[i]) < 0)
			return strata__oom(ctx);
	return 0;
}

/* text with every LF made CRLF (crlf set) or every CRLF made LF */
static int line_ends(strata_buf *out, const char *p, size_t n, int crlf)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < n; i++) {
		if (crlf && p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			rc = strata__buf_putc(out, '\r');
		if (!crlf && p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
			continue;
		if (rc == 0)
			rc = strata__buf_putc(out, p[i]);
	}
	return rc;
}

static const char *hex_algo(const char *recorded)
{
	switch (strlen(recorded)) {
	case 32:
		return "MD5";
	case 40:
		return "SHA1";
	case 64:
		return "SHA256";
	}
	return NULL;
}

static int is_hex(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!strchr("0123456789abcdefABCDEF", *s))
			return 0;
	return 1;
}

const char *strata__adopt_sum_name(enum sum_algo algo, const char *recorded)
{
	switch (algo) {
	case SUM_FLYWAY_CRC32:
		return "CRC32 (Flyway)";
	case SUM_SHA384:
		return "SHA-384 (sqlx)";
	case SUM_PRISMA:
		return "SHA-256 (Prisma)";
	case SUM_HEX_DIGEST:
		if (recorded && is_hex(recorded) && hex_algo(recorded))
			return strcmp(hex_algo(recorded), "MD5") == 0 ?
			               "MD5" :
			       strcmp(hex_algo(recorded), "SHA1") == 0 ?
			               "SHA-1" :
			               "SHA-256";
		return "unknown";
	case SUM_NONE:
		break;
	}
	return "none";
}

int strata__adopt_sum_check(strata_ctx *ctx, enum sum_algo algo,
                            const char *path, const char *recorded,
                            strata_buf *computed)
{
	strata_buf raw = STRATA_BUF_INIT, alt = STRATA_BUF_INIT;
	int rc, crlf;

	strata__buf_clear(computed);
	/* nothing to prove: a tool without checksums, a row without one, or
	 * (migrate.sh) a value that is not a digest strata knows */
	if (algo == SUM_NONE || !recorded || !recorded[0] ||
	    (algo == SUM_HEX_DIGEST &&
	     (!is_hex(recorded) || !hex_algo(recorded))))
		return 1;
	rc = read_raw(ctx, path, &raw);
	if (rc < 0)
		goto done;
	switch (algo) {
	case SUM_FLYWAY_CRC32:
		rc = strata__buf_printf(computed, "%ld",
		                        flyway_crc32(raw.ptr, raw.len));
		if (rc < 0)
			rc = strata__oom(ctx);
		else
			rc = strcmp(computed->ptr, recorded) == 0;
		break;
	case SUM_SHA384:
		rc = digest_hex(ctx, "SHA384", raw.ptr, raw.len, computed);
		if (rc == 0)
			rc = strcasecmp(computed->ptr, recorded) == 0;
		break;
	case SUM_HEX_DIGEST:
		rc = digest_hex(ctx, hex_algo(recorded), raw.ptr, raw.len,
		                computed);
		if (rc == 0)
			rc = strcasecmp(computed->ptr, recorded) == 0;
		break;
	case SUM_PRISMA:
		/* as Prisma's script_matches_checksum: the file as it is,
		 * or with its line endings the other way (a checkout on
		 * another system) */
		rc = digest_hex(ctx, "SHA256", raw.ptr, raw.len, computed);
		if (rc == 0)
			rc = strcasecmp(computed->ptr, recorded) == 0;
		for (crlf = 0; rc == 0 && crlf < 2; crlf++) {
			strata__buf_clear(&alt);
			if (line_ends(&alt, raw.ptr, raw.len, crlf) < 0) {
				rc = strata__oom(ctx);
				break;
			}
			rc = digest_hex(ctx, "SHA256", alt.ptr, alt.len, &alt);
			if (rc == 0)
				rc = strcasecmp(alt.ptr, recorded) == 0;
		}
		break;
	case SUM_NONE:
		rc = 1;
		break;
	}
done:
	strata_buf_release(&raw);
	strata_buf_release(&alt);
	return rc;
}
