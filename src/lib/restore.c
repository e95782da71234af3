/*
 * restore: a file strata's backup wrote, or another one only when the
 * caller showed it to the user and was told to go on; never one holding
 * commands the database's client tool would run itself (the driver's
 * restore_check finds those). It runs under the runner lock, after a
 * backup of what is there.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"

#define HEAD_BYTES 2048
#define HEAD_LINES 5
#define HEAD_WIDTH 100

/* Bytes of one UTF-8 character at p[0, n) that prints, or 0. */
static size_t utf8_char(const unsigned char *p, size_t n)
{
	size_t k, i;
	unsigned cp;

	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		k = 2, cp = p[0] & 0x1Fu;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		k = 3, cp = p[0] & 0x0Fu;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		k = 4, cp = p[0] & 0x07u;
	else
		return 0;
	if (k > n)
		return 0;
	for (i = 1; i < k; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3Fu);
	}
	/* C1 controls (U+0080 to U+009F) move terminals too */
	return cp >= 0x80 && cp <= 0x9F ? 0 : k;
}

/* The first lines of a text file, to show a user: "" for binary data;
 * control characters and bytes that are not UTF-8 shown as '?'. */
static int head_lines(int fd, strata_buf *out)
{
	unsigned char buf[HEAD_BYTES];
	ssize_t got = pread(fd, buf, sizeof(buf), 0);
	size_t n = got > 0 ? (size_t)got : 0, i = 0, k;
	int lines = 0, width = 0, rc = 0;

	strata__buf_clear(out);
	if (memchr(buf, '\0', n))
		return 0;
	while (rc == 0 && i < n && lines < HEAD_LINES) {
		unsigned char c = buf[i];

		if (c == '\n') {
			lines++;
			width = 0;
			rc = strata__buf_putc(out, '\n');
			i++;
			continue;
		}
		k = c >= 0x80 ? utf8_char(buf + i, n - i) : 1;
		if (width == HEAD_WIDTH)
			rc = strata__buf_puts(out, "...");
		else if (width < HEAD_WIDTH && k > 1)
			rc = strata__buf_put(out, (const char *)buf + i, k);
		else if (width < HEAD_WIDTH &&
		         (k == 0 || (c < 0x20 && c != '\t') || c == 0x7f))
			rc = strata__buf_putc(out, '?');
		else if (width < HEAD_WIDTH)
			rc = strata__buf_putc(out, (char)c);
		width++;
		i += k ? k : 1;
	}
	while (rc == 0 && out->len && out->ptr[out->len - 1] == '\n')
		strata__buf_truncate(out, out->len - 1);
	return rc;
}

/*
 * Read path as the driver's tool would: what it is into ctx->scratch,
 * its first lines into ctx->scratch2, *own set when strata's backup of
 * this database type wrote it; refused with an error set.
 */
static int inspect(strata_ctx *ctx, const char *path, int *own, uint64_t *size)
{
	unsigned long line = 0;
	struct stat st;
	int fd, rc;

	*own = 0;
	*size = 0;
	rc = strata__driver_resolve(ctx);
	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return strata__error_set(ctx, STRATA_EIO, "cannot read %s: %s",
		                         path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return strata__error_set(ctx, STRATA_EIO,
		                         "cannot read %s: not a regular file",
		                         path);
	}
	*size = (uint64_t)st.st_size;
	strata__buf_clear(&ctx->scratch);
	if (strata__driver_has(ctx, STRATA_DRV_RESTORE_CHECK))
		rc = strata__driver_restore_check(ctx, path, fd, &ctx->scratch,
		                                  &line);
	else
		rc = strata__buf_printf(&ctx->scratch,
		                        "a file the %s driver cannot look into",
		                        strata__driver_name(ctx));
	if (rc >= 0 && head_lines(fd, &ctx->scratch2) < 0)
		rc = STRATA_ENOMEM;
	close(fd);
	if (rc == STRATA_EPARSE) {
		strata__error_set(ctx, rc, "not restored: %s",
		                  ctx->scratch.ptr);
		strata__error_at(ctx, path, (int)line, 0);
		return rc;
	}
	if (rc == STRATA_ENOMEM)
		return strata__oom(ctx);
	if (rc < 0)
		return strata__error_set(ctx, rc, "cannot read %s: %s", path,
		                         ctx->scratch.ptr);
	*own = rc == 1;
	return 0;
}

int strata_restore_inspect(strata_restore_file *out, strata_ctx *ctx,
                           const char *path)
{
	int rc, own;

	memset(out, 0, sizeof(*out));
	out->what = out->head = "";
	strata__error_clear(ctx);
	rc = inspect(ctx, path, &own, &out->size);
	if (rc < 0)
		return rc;
	out->is_backup = own;
	out->what = ctx->scratch.ptr;
	out->head = ctx->scratch2.ptr;
	return 0;
}

int strata_restore(strata_ctx *ctx, const char *path,
                   const strata_restore_options *opts)
{
	const char *suffix = opts && opts->backup_suffix ? opts->backup_suffix :
	                                                   "before-restore";
	uint64_t size;
	int rc, own, exists;

	strata__error_clear(ctx);
	rc = inspect(ctx, path, &own, &size);
	if (rc < 0)
		return rc;
	if (!own && !(opts && opts->any_file))
		return strata__error_set(
		        ctx, STRATA_EINVALID,
		        "%s is not a strata backup: it is %s "
		        "(%llu bytes); to restore it anyway, "
		        "use %s",
		        path, ctx->scratch.ptr, (unsigned long long)size,
		        strata__setting(ctx, STRATA_SETTING_ANY_FILE));
	rc = strata__connect(ctx, 0);
	exists = rc == 0;
	if (rc == STRATA_ENOTFOUND)
		strata__error_clear(ctx);
	if (rc == 0 || rc == STRATA_ENOTFOUND)
		rc = strata__connect(ctx, 1);
	if (rc < 0)
		return rc;
	if (!strata__driver_has(ctx, STRATA_DRV_RESTORE))
		return strata__error_set(ctx, STRATA_ENOTSUPP,
		                         "restore is not available for %s",
		                         strata__driver_name(ctx));
	/* no runner migrates meanwhile, and the copy is of what it would
	 * have migrated */
	rc = strata__lock_runner(ctx);
	if (rc < 0)
		return rc;
	if (exists && !(opts && opts->no_backup)) {
		const char *backup;

		rc = strata_backup(&backup, ctx, suffix);
		if (rc < 0)
			return rc;
		strata__emitf(ctx, STRATA_EVENT_INFO,
		              "backup written to %s (skip with %s)", backup,
		              strata__setting(ctx, STRATA_SETTING_NO_BACKUP));
	}
	rc = strata__conn_restore(ctx, path);
	if (rc < 0)
		strata__error_prefix(ctx, "restore failed");
	return rc;
}
