/*
 * PostgreSQL index checks. A failed CREATE INDEX CONCURRENTLY leaves an
 * INVALID index behind, which a later CREATE INDEX ... IF NOT EXISTS
 * skips without a word: name such indexes with the fix, and refuse an
 * IF NOT EXISTS that would skip one before anything runs.
 */
#include <string.h>

#include "postgres.h"
#include "split.h"
#include "../util/alloc.h"
#include "../util/buf.h"

/* One name: a bare word (ASCII folded to lower case) or a quoted one. */
static size_t read_name(const char *s, size_t len, size_t i, char *out,
                        size_t out_size, int *quoted)
{
	size_t n = 0;

	*quoted = 0;
	if (i < len && s[i] == '"') {
		*quoted = 1;
		for (i++; i < len; i++) {
			if (s[i] == '"') {
				if (i + 1 < len && s[i + 1] == '"') {
					i++;
				} else {
					break;
				}
			}
			if (n + 1 < out_size)
				out[n++] = s[i];
		}
		if (i >= len)
			return 0; /* unterminated */
		i++;
	} else {
		size_t start = i;

		while (i < len) {
			unsigned char ch = (unsigned char)s[i];

			if (!((ch >= 'a' && ch <= 'z') ||
			      (ch >= 'A' && ch <= 'Z') || ch == '_' ||
			      ch >= 0x80 ||
			      (i > start &&
			       ((ch >= '0' && ch <= '9') || ch == '$'))))
				break;
			if (n + 1 < out_size)
				out[n++] = (char)(ch >= 'A' && ch <= 'Z' ?
				                          ch - 'A' + 'a' :
				                          ch);
			i++;
		}
		if (i == start)
			return 0;
	}
	/* the server truncates at NAMEDATALEN - 1 bytes, on a character
	 * boundary */
	if (n > PG_MAX_IDENT) {
		n = PG_MAX_IDENT;
		while (n > 0 && ((unsigned char)out[n] & 0xC0) == 0x80)
			n--;
	}
	out[n] = '\0';
	return i;
}

struct index_head {
	int concurrently, if_not_exists;
	char name[256];   /* "" when the statement names no index */
	char schema[256]; /* the table's schema as written, or "" */
	char table[256];
};

/* The next name after blanks and comments, into w[256]; 0 at the end. */
static int next_word(const char *s, size_t len, size_t *i, char *w, int *q)
{
	*i = read_name(s, len, strata__pg_skip_space(s, len, *i), w, 256, q);
	return *i != 0;
}

static int word_is(const char *w, int quoted, const char *kw)
{
	return !quoted && strcmp(w, kw) == 0;
}

/*
 * Parse the head of "CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS]
 * [name] ON [ONLY] [schema.]table". Returns 1 when stmt is one.
 */
static int parse_index_head(const char *s, size_t len, struct index_head *h)
{
	char w[256];
	size_t i = 0;
	int q;

	memset(h, 0, sizeof(*h));
	if (!next_word(s, len, &i, w, &q) || !word_is(w, q, "create") ||
	    !next_word(s, len, &i, w, &q))
		return 0;
	if (word_is(w, q, "unique") && !next_word(s, len, &i, w, &q))
		return 0;
	if (!word_is(w, q, "index") || !next_word(s, len, &i, w, &q))
		return 0;
	if (word_is(w, q, "concurrently")) {
		h->concurrently = 1;
		if (!next_word(s, len, &i, w, &q))
			return 0;
	}
	if (word_is(w, q, "if")) {
		if (!next_word(s, len, &i, w, &q) || !word_is(w, q, "not") ||
		    !next_word(s, len, &i, w, &q) || !word_is(w, q, "exists") ||
		    !next_word(s, len, &i, w, &q))
			return 0;
		h->if_not_exists = 1;
	}
	if (!word_is(w, q, "on")) {
		memcpy(h->name, w, sizeof(h->name));
		if (!next_word(s, len, &i, w, &q) || !word_is(w, q, "on"))
			return 0;
	}
	if (!next_word(s, len, &i, w, &q) ||
	    (word_is(w, q, "only") && !next_word(s, len, &i, w, &q)))
		return 0;
	memcpy(h->table, w, sizeof(h->table));
	/* schema.table, or database.schema.table: keep the last two */
	for (;;) {
		size_t j = strata__pg_skip_space(s, len, i);

		if (j >= len || s[j] != '.')
			break;
		i = j + 1;
		if (!next_word(s, len, &i, w, &q))
			return 0;
		memcpy(h->schema, h->table, sizeof(h->schema));
		memcpy(h->table, w, sizeof(h->table));
	}
	return 1;
}

/* Does sql mention word (ASCII, case-insensitive)? A cheap filter. */
static int mentions(const char *sql, size_t len, const char *word)
{
	size_t k = strlen(word), i, j;

	for (i = 0; i + k <= len; i++) {
		for (j = 0; j < k; j++) {
			char ch = sql[i + j];

			if (ch >= 'A' && ch <= 'Z')
				ch = (char)(ch - 'A' + 'a');
			if (ch != word[j])
				break;
		}
		if (j == k)
			return 1;
	}
	return 0;
}

/*
 * A catalogue query made on the side of a migration. Inside a transaction
 * it runs under a savepoint, so that its failure cannot abort the
 * migration's transaction. Errors are not recorded.
 */
static PGresult *side_query(struct strata_driver_conn *c, const char *sql,
                            int n, const char *const *values)
{
	PGconn *pg = pc(c)->pg;
	int in_txn = pg &&
	             strata__pq.PQtransactionStatus(pg) == PQTRANS_INTRANS;
	PGresult *res;

	if (!pg || strata__pq.PQtransactionStatus(pg) == PQTRANS_INERROR)
		return NULL;
	if (in_txn && strata__pg_simple(c, "SAVEPOINT strata_check", 1) < 0)
		return NULL;
	res = strata__pg_params_query(c, sql, n, values, 1);
	if (in_txn)
		strata__pg_simple(c,
		                  res ? "RELEASE SAVEPOINT strata_check" :
		                        "ROLLBACK TO SAVEPOINT strata_check",
		                  1);
	return res;
}

/* Invalid indexes: named name in the table's schema, or all on table. */
static const char invalid_index_sql[] =
        "SELECT format('%I.%I', n.nspname, c.relname)"
        " FROM pg_catalog.pg_index i"
        " JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE NOT i.indisvalid"
        " AND ($1::text IS NULL OR c.relname = $1)"
        " AND i.indrelid = to_regclass(CASE WHEN $2::text IS NULL"
        " THEN pg_catalog.quote_ident($3)"
        " ELSE pg_catalog.quote_ident($2) || '.' ||"
        " pg_catalog.quote_ident($3) END)"
        " ORDER BY 1";

static PGresult *find_invalid(struct strata_driver_conn *c,
                              const struct index_head *h, int by_name)
{
	const char *v[3];

	v[0] = by_name && h->name[0] ? h->name : NULL;
	v[1] = h->schema[0] ? h->schema : NULL;
	v[2] = h->table;
	return side_query(c, invalid_index_sql, 3, v);
}

/*
 * After a failed CREATE INDEX CONCURRENTLY: the server keeps the index it
 * could not finish, INVALID, and CREATE INDEX IF NOT EXISTS would then
 * skip it without a word. Name them, with the fix.
 */
void strata__pg_explain_failed_cic(struct strata_driver_conn *c,
                                   const char *stmt, size_t len)
{
	struct index_head h;
	PGresult *res;
	int i;

	if (!parse_index_head(stmt, len, &h) || !h.concurrently)
		return;
	res = find_invalid(c, &h, 0);
	if (!res)
		return;
	for (i = 0; i < strata__pq.PQntuples(res); i++) {
		strata_buf b = STRATA_BUF_INIT;
		const char *name = strata__pq.PQgetvalue(res, i, 0);

		if (strata__buf_printf(&b,
		                       "the failed CREATE INDEX CONCURRENTLY "
		                       "left the INVALID index %s behind (it is "
		                       "not used, but is kept up to date on "
		                       "every write, and CREATE INDEX IF NOT "
		                       "EXISTS would skip it)",
		                       name) == 0)
			strata_driver_add_detail(c, b.ptr);
		strata__buf_clear(&b);
		if (strata__buf_printf(&b,
		                       "to fix: run 'strata repair' (it offers "
		                       "to drop it) or 'DROP INDEX CONCURRENTLY "
		                       "%s;', then run the migration again",
		                       name) == 0)
			strata_driver_add_detail(c, b.ptr);
		strata_buf_release(&b);
	}
	strata__pq.PQclear(res);
}

struct ine_check {
	struct strata_driver_conn *c;
	const char *sql;
	int rc;
};

/*
 * A CREATE INDEX ... IF NOT EXISTS that succeeded may have skipped an
 * INVALID index of the same name: that is a failure, not a success.
 */
static int check_ine_cb(void *payload, size_t off, size_t len, unsigned flags)
{
	struct ine_check *k = payload;
	const char *stmt = k->sql + off;
	struct index_head h;
	PGresult *res;

	(void)flags;
	if (!parse_index_head(stmt, len, &h) || !h.if_not_exists || !h.name[0])
		return 0;
	res = find_invalid(k->c, &h, 1);
	if (res && strata__pq.PQntuples(res) > 0) {
		const char *name = strata__pq.PQgetvalue(res, 0, 0);
		strata_buf b = STRATA_BUF_INIT;

		k->rc = strata_driver_set_error(
		        k->c, STRATA_EDB, "55000", 0,
		        (long)(off + strata__pg_skip_space(stmt, len, 0)),
		        "index %s already exists but is INVALID (left by a "
		        "failed CREATE INDEX CONCURRENTLY): IF NOT EXISTS "
		        "skipped it, so the index is not in place",
		        name);
		if (strata__buf_printf(&b,
		                       "to fix: run 'strata repair' (it offers "
		                       "to drop it) or 'DROP INDEX CONCURRENTLY "
		                       "%s;', then run the migration again",
		                       name) == 0)
			strata_driver_add_detail(k->c, b.ptr);
		strata_buf_release(&b);
	}
	strata__pq.PQclear(res);
	return k->rc < 0 ? 1 : 0;
}

int strata__pg_check_if_not_exists(struct strata_driver_conn *c,
                                   const char *sql, size_t len)
{
	struct ine_check k;

	if (!mentions(sql, len, "index") || !mentions(sql, len, "exists"))
		return 0;
	k.c = c;
	k.sql = sql;
	k.rc = 0;
	strata__split_postgres(sql, len, check_ine_cb, &k);
	return k.rc;
}
