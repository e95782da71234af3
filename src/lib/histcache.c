/*
 * The history of an unchanged database, without opening it. For a SQLite
 * file, opening it and reading the history makes SQLite parse the whole
 * schema (two thousand objects for a thousand migrations): that is most
 * of what `status` and a no-op `up` cost. The driver's state_key() says,
 * from the file's identity, times and header alone, whether the database
 * may have changed; the rows read under one key are kept in
 * $XDG_CACHE_HOME/strata/h-<hash> and used while the key is the same.
 *
 * Only reading commands use it (status, validate, the read-only look of
 * `up`); everything that writes reads the history from the database in
 * its own transaction, as always. Any problem with the cache (missing,
 * corrupt, for another database) means the database is read instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "history.h"

/* 2: versions are text, and rows have version_sort */
#define HISTCACHE_MAGIC "strata-histcache 2\n"

/* The key, with what else selects the rows: table, schema and target. */
int strata__histcache_key(strata_ctx *ctx, strata_buf *key)
{
	int rc;

	strata__buf_clear(key);
	if (!ctx->drv || !strata__driver_has(ctx, STRATA_DRV_STATE_KEY) ||
	    ctx->exec)
		return 0;
	rc = strata__driver_state_key(ctx, key);
	if (rc != 1)
		return 0;
	rc = strata__buf_printf(key, "\t%s\t%s\t%s\n", ctx->table,
	                        ctx->schema ? ctx->schema : "", ctx->target);
	return rc == 0 ? 1 : 0;
}

/* h-<FNV-1a of the key's first word (the database's identity) and of
 * what selects the rows>: one file per database, history table and
 * target. */
static int cache_name(strata_buf *path, const char *key)
{
	const char *sp = strchr(key, ' '), *tab = strchr(key, '\t');
	uint64_t h = STRATA_FNV1A_INIT;
	char name[24];

	h = strata__fnv1a(h, key, sp ? (size_t)(sp - key) : strlen(key));
	if (tab)
		h = strata__fnv1a(h, tab, strlen(tab));
	snprintf(name, sizeof(name), "h-%016llx", (unsigned long long)h);
	return strata__cache_file(path, name);
}

static int put_field(strata_buf *b, const char *s)
{
	int rc = 0;

	if (!s)
		return strata__buf_puts(b, "\\N");
	for (; rc == 0 && *s; s++) {
		if (*s == '\\')
			rc = strata__buf_puts(b, "\\\\");
		else if (*s == '\t')
			rc = strata__buf_puts(b, "\\t");
		else if (*s == '\n')
			rc = strata__buf_puts(b, "\\n");
		else
			rc = strata__buf_putc(b, *s);
	}
	return rc;
}

static int put_row(strata_buf *b, const struct history_row *r)
{
	char num[2][24], key[STRATA_VERSION_KEY_SIZE];
	const char *v[HISTORY_COLUMNS];
	int rc = 0;

	snprintf(num[0], sizeof(num[0]), "%lld", (long long)r->execution_ms);
	snprintf(num[1], sizeof(num[1]), "%d", r->dirty);
	strata__version_key(key, r->version);
	v[HCOL_VERSION] = r->version;
	v[HCOL_NAME] = r->name;
	v[HCOL_KIND] = strata_kind_name(r->kind);
	v[HCOL_FILE] = r->file;
	v[HCOL_CHECKSUM] = r->checksum;
	v[HCOL_CHECKSUM_ALGORITHM] = r->checksum_algorithm;
	v[HCOL_APPLIED_AT] = r->applied_at;
	v[HCOL_EXECUTION_MS] = num[0];
	v[HCOL_APPLIED_BY] = r->applied_by;
	v[HCOL_TARGET] = r->target;
	v[HCOL_DATABASE_TYPE] = r->database_type;
	v[HCOL_DIRTY] = num[1];
	v[HCOL_VERSION_SORT] = key;
	for (int i = 0; rc == 0 && i < HISTORY_COLUMNS; i++) {
		if (i)
			rc = strata__buf_putc(b, '\t');
		if (rc == 0)
			rc = put_field(b, v[i]);
	}
	return rc == 0 ? strata__buf_putc(b, '\n') : rc;
}

/* Undo put_field in place; NULL for "\N". */
static char *unescape(char *s)
{
	char *w, *r = strchr(s, '\\');

	if (!r)
		return s; /* the common case: nothing escaped */
	if (strcmp(s, "\\N") == 0)
		return NULL;
	for (w = r; *r; r++) {
		if (*r == '\\' && r[1]) {
			r++;
			*w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return s;
}

/* Parse "exists n" and n rows into h; -1 when anything is off. */
static int parse_rows(char *p, struct history *h)
{
	const char *v[HISTORY_COLUMNS];
	unsigned long exists, n, i;
	char *end;

	exists = strtoul(p, &end, 10);
	if (end == p || *end != ' ')
		return -1;
	p = end + 1;
	n = strtoul(p, &end, 10);
	if (end == p || *end != '\n')
		return -1;
	p = end + 1;
	for (i = 0; i < n; i++) {
		char *eol = strchr(p, '\n');
		int k = 0;

		if (!eol)
			return -1;
		*eol = '\0';
		for (char *f = p; k < HISTORY_COLUMNS; k++) {
			char *tab = strchr(f, '\t');

			if (tab)
				*tab = '\0';
			v[k] = unescape(f);
			if (!tab) {
				k++;
				break;
			}
			f = tab + 1;
		}
		if (k != HISTORY_COLUMNS ||
		    strata__history_add_row(h, HISTORY_COLUMNS, v) != 0 ||
		    h->n_bad)
			return -1;
		p = eol + 1;
	}
	if (*p)
		return -1;
	h->exists = exists != 0;
	return 0;
}

int strata__histcache_load(strata_ctx *ctx, const strata_buf *key)
{
	strata_buf path = STRATA_BUF_INIT;
	size_t len = 0, magic = strlen(HISTCACHE_MAGIC);
	char *text = NULL;
	int loaded = 0;

	if (!key->len || cache_name(&path, key->ptr) != 0 ||
	    !(text = strata__cache_read(path.ptr, &len)))
		goto done;
	/* the magic line, then the key whole, then the rows */
	if (len < magic + key->len ||
	    memcmp(text, HISTCACHE_MAGIC, magic) != 0 ||
	    memcmp(text + magic, key->ptr, key->len) != 0)
		goto done;
	strata__history_release(&ctx->history);
	if (parse_rows(text + magic + key->len, &ctx->history) == 0)
		loaded = 1;
	else
		strata__history_release(&ctx->history);
done:
	strata__free(text);
	strata_buf_release(&path);
	return loaded;
}

void strata__histcache_store(strata_ctx *ctx, const char *key)
{
	strata_buf now = STRATA_BUF_INIT, path = STRATA_BUF_INIT,
	           b = STRATA_BUF_INIT;
	const struct history *h = &ctx->history;
	int rc;

	/* the database did not change while it was read */
	if (!key || !key[0] || strata__histcache_key(ctx, &now) != 1 ||
	    strcmp(now.ptr, key) != 0 || cache_name(&path, key) != 0)
		goto done;
	rc = strata__buf_puts(&b, HISTCACHE_MAGIC);
	if (rc == 0)
		rc = strata__buf_puts(&b, key);
	if (rc == 0)
		rc = strata__buf_printf(&b, "%d %zu\n", h->exists, h->n);
	for (size_t i = 0; rc == 0 && i < h->n; i++)
		rc = put_row(&b, &h->v[i]);
	if (rc == 0)
		strata__cache_write(path.ptr, b.ptr, b.len);
done:
	strata_buf_release(&now);
	strata_buf_release(&path);
	strata_buf_release(&b);
}
