/*
 * The driver registry (built-in drivers are compiled in when their client
 * library was found), the connection lifecycle, and the wrappers through
 * which the rest of the engine calls the driver: only this file knows the
 * vtable's layout.
 */
#include "common.h"
#include "ctx.h"
#include "driver.h"

#define MAX_DRIVERS 16

/* The Makefile's DRIVERS: those built, and those left out for want of
 * their client library (named in messages). NULL-terminated. */
#define STRATA_DRIVER(name)        &strata__driver_##name,
#define STRATA_DRIVER_ABSENT(name) /* built without it */
#define STRATA_SPLITTER(name)
static const struct strata_driver *const builtin[] = {
#include "strata_drivers.h"
	NULL
};
#undef STRATA_DRIVER
#undef STRATA_DRIVER_ABSENT
#define STRATA_DRIVER(name)
#define STRATA_DRIVER_ABSENT(name) #name,
static const char *const absent[] = {
#include "strata_drivers.h"
	NULL
};
#undef STRATA_DRIVER
#undef STRATA_DRIVER_ABSENT
#undef STRATA_SPLITTER

static const struct strata_driver *registered[MAX_DRIVERS];

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
refuse(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (why && size) {
		va_start(ap, fmt);
		vsnprintf(why, size, fmt, ap);
		va_end(ap);
	}
	return STRATA_EINVALID;
}

struct member {
	const char *name;
	int set;
};

static struct member member(const char *name, int set)
{
	struct member m = { name, set };

	return m;
}

#define MEMBER(drv, m) member(#m, (drv)->m != NULL)

/* A driver of this layout: its required members and its pairs. */
static int check_members(const struct strata_driver *drv, const char *name,
                         char *why, size_t size)
{
	const struct member required[] = {
		MEMBER(drv, schemes),       MEMBER(drv, timestamp_type),
		MEMBER(drv, connect),       MEMBER(drv, disconnect),
		MEMBER(drv, exec),          MEMBER(drv, query),
		MEMBER(drv, begin),         MEMBER(drv, commit),
		MEMBER(drv, rollback),      MEMBER(drv, quote_ident),
		MEMBER(drv, quote_literal), MEMBER(drv, split),
		MEMBER(drv, table_columns),
	};
	const struct member pairs[][2] = {
		{ MEMBER(drv, lock), MEMBER(drv, unlock) },
		{ MEMBER(drv, unlock), MEMBER(drv, lock) },
		{ MEMBER(drv, ensure_schema), MEMBER(drv, schema_sql) },
		{ MEMBER(drv, schema_sql), MEMBER(drv, ensure_schema) },
		{ MEMBER(drv, exec_clocked), MEMBER(drv, clock_sql) },
		{ MEMBER(drv, exec_clocked), MEMBER(drv, message_clock_sql) },
		{ MEMBER(drv, clock_sql), MEMBER(drv, exec_clocked) },
		{ MEMBER(drv, message_clock_sql), MEMBER(drv, exec_clocked) },
		{ MEMBER(drv, async_commit_sql), MEMBER(drv, flush_sql) },
		{ MEMBER(drv, backup), MEMBER(drv, backup_extension) },
		{ MEMBER(drv, delimiters), MEMBER(drv, delimiter_reset) },
		{ MEMBER(drv, delimiter_reset), MEMBER(drv, delimiters) },
		{ MEMBER(drv, lock_wait_sql), MEMBER(drv, lock_wait_gave_up) },
		{ MEMBER(drv, lock_wait_gave_up), MEMBER(drv, lock_wait_sql) },
		{ MEMBER(drv, invalid_indexes), MEMBER(drv, drop_index_sql) },
		{ MEMBER(drv, drop_index_sql), MEMBER(drv, invalid_indexes) },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(required); i++)
		if (!required[i].set)
			return refuse(
			        why, size,
			        "driver '%s' has no %s, which is required",
			        name, required[i].name);
	if (!drv->schemes[0])
		return refuse(why, size, "driver '%s' has no URL scheme", name);
	if (drv->conn_size < sizeof(struct strata_driver_conn))
		return refuse(why, size,
		              "driver '%s' has conn_size %zu, smaller than "
		              "struct strata_driver_conn",
		              name, drv->conn_size);
	if ((drv->caps & STRATA_DRIVER_CAP_LOCK) && !drv->lock)
		return refuse(why, size, "driver '%s' has CAP_LOCK and no lock",
		              name);
	if ((drv->caps & STRATA_DRIVER_CAP_SCHEMA) && !drv->ensure_schema)
		return refuse(why, size,
		              "driver '%s' has CAP_SCHEMA and no ensure_schema",
		              name);
	/* when the first of a pair is set, the second must be */
	for (i = 0; i < ARRAY_SIZE(pairs); i++)
		if (pairs[i][0].set && !pairs[i][1].set)
			return refuse(
			        why, size,
			        "driver '%s' has %s and no %s, which goes "
			        "with it",
			        name, pairs[i][0].name, pairs[i][1].name);
	return 0;
}

int strata_driver_check(const struct strata_driver *drv, char *why, size_t size)
{
	const char *name;

	if (why && size)
		why[0] = '\0';
	if (!drv)
		return refuse(why, size, "no driver");
	/* version and name are where they are in every layout; nothing
	 * after them is read from a driver built for another one */
	name = drv->name ? drv->name : "(unnamed)";
	if (drv->version != STRATA_DRIVER_VERSION)
		return refuse(why, size,
		              "driver '%s' was built for driver interface "
		              "version %u; this strata reads version %u only: "
		              "rebuild it against this strata's "
		              "<strata/sys/driver.h>",
		              name, drv->version, STRATA_DRIVER_VERSION);
	if (!drv->name)
		return refuse(why, size, "driver has no name");
	return check_members(drv, name, why, size);
}

int strata_driver_register(const struct strata_driver *drv)
{
	size_t i;

	if (strata_driver_check(drv, NULL, 0) < 0)
		return STRATA_EINVALID;
	for (i = 0; i < MAX_DRIVERS; i++) {
		if (!registered[i]) {
			registered[i] = drv;
			return 0;
		}
	}
	return STRATA_ENOMEM;
}

static int has_scheme(const struct strata_driver *d, const char *scheme)
{
	const char *const *s;

	for (s = d->schemes; *s; s++)
		if (strcmp(*s, scheme) == 0)
			return 1;
	return 0;
}

/* The i-th driver known, registered ones first; NULL past the last. */
static const struct strata_driver *driver_at(size_t i)
{
	size_t n = 0;

	while (n < MAX_DRIVERS && registered[n])
		n++;
	return i < n ? registered[i] : builtin[i - n];
}

const struct strata_driver *strata__driver_find(const char *scheme)
{
	const struct strata_driver *d;
	size_t i;

	for (i = 0; (d = driver_at(i)) != NULL; i++)
		if (has_scheme(d, scheme))
			return d;
	return NULL;
}

/* The driver this build lacks that would serve scheme: the one whose
 * name starts it (postgres for postgresql), or NULL. */
static const char *absent_for(const char *scheme)
{
	size_t i;

	for (i = 0; absent[i]; i++)
		if (strncmp(scheme, absent[i], strlen(absent[i])) == 0)
			return absent[i];
	return NULL;
}

const char *strata_database_type(size_t i)
{
	const struct strata_driver *d;
	size_t n;

	for (n = 0; (d = driver_at(n)) != NULL; n++)
		if (n == i)
			return d->name;
	return i - n < ARRAY_SIZE(absent) ? absent[i - n] : NULL;
}

const char *strata_url_database_type(const char *url)
{
	struct strata__url u;
	const struct strata_driver *d = NULL;
	const char *type = NULL;

	if (strata__url_parse(&u, url) != STRATA_ENOMEM && u.scheme) {
		d = strata__driver_find(u.scheme);
		type = d ? d->name : absent_for(u.scheme);
	}
	strata__url_release(&u);
	return type;
}

/* Whether s is one of the schemes put_schemes lists. */
static int listed(const struct strata_driver *d, const char *const *s,
                  int first_only)
{
	return *s && (!first_only || s == d->schemes);
}

/* "sqlite:, sqlite3:, postgres: ... or mariadb:": the schemes of every
 * driver, or the first of each. */
static int put_schemes(strata_buf *out, int first_only)
{
	const struct strata_driver *d;
	const char *const *s;
	size_t i, n = 0, k = 0;
	int rc = 0;

	for (i = 0; (d = driver_at(i)) != NULL; i++)
		for (s = d->schemes; listed(d, s, first_only); s++)
			n++;
	for (i = 0; rc == 0 && (d = driver_at(i)) != NULL; i++)
		for (s = d->schemes; rc == 0 && listed(d, s, first_only); s++)
			rc = strata__buf_printf(out, "%s%s:",
			                        k++ == 0 ? "" :
			                        k == n   ? " or " :
			                                   ", ",
			                        *s);
	return rc;
}

int strata__driver_resolve(strata_ctx *ctx)
{
	const char *scheme = ctx->url_parts.scheme, *lacking;
	strata_buf known = STRATA_BUF_INIT;
	int rc;

	if (ctx->drv)
		return 0;
	ctx->drv = scheme ? strata__driver_find(scheme) : NULL;
	if (ctx->drv)
		return 0;
	lacking = scheme ? absent_for(scheme) : NULL;
	if (lacking)
		return strata__error_set(
		        ctx, STRATA_ENOTSUPP,
		        "this strata was built without the %s driver", lacking);
	if (put_schemes(&known, !scheme) < 0)
		return strata__oom(ctx);
	if (!scheme)
		rc = strata__error_set(ctx, STRATA_EINVALID,
		                       "database URL '%s' has no scheme: start "
		                       "it with %s",
		                       ctx->url_redacted, known.ptr);
	else
		rc = strata__error_set(ctx, STRATA_EINVALID,
		                       "unknown database URL scheme '%s:' "
		                       "(known: %s)",
		                       scheme, known.ptr);
	strata_buf_release(&known);
	return rc;
}

static int first_value(void *payload, int ncols, const char *const *v)
{
	char **out = payload;

	if (ncols > 0 && v[0] && !*out && !(*out = strata__strdup(v[0])))
		return STRATA_ENOMEM;
	return 0;
}

/* Learn what unqualified names resolve to, once per connection. */
static int resolve_schema(strata_ctx *ctx)
{
	int rc;

	if ((ctx->schema && ctx->schema[0]) || ctx->resolved_schema ||
	    !ctx->drv->current_schema_sql)
		return 0;
	rc = strata__conn_query(ctx, ctx->drv->current_schema_sql, first_value,
	                        &ctx->resolved_schema);
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

int strata__no_schemas(strata_ctx *ctx, int code)
{
	return strata__error_set(ctx, code,
	                         "%s has no schemas: %s cannot be used",
	                         strata__driver_name(ctx),
	                         strata__setting(ctx, STRATA_SETTING_SCHEMA));
}

static int ensure_schema(strata_ctx *ctx)
{
	int rc;

	if (ctx->schema_ensured || !ctx->schema || !ctx->schema[0])
		return 0;
	if (!ctx->drv->ensure_schema)
		return strata__no_schemas(ctx, STRATA_ENOTSUPP);
	rc = ctx->drv->ensure_schema(ctx->conn, ctx->schema);
	ctx->schema_ensured = rc == 0;
	return rc;
}

/* A zeroed connection of the driver's size, and what to connect with. */
static struct strata_driver_conn *
new_conn(strata_ctx *ctx, struct strata_connect_params *p, int create)
{
	struct strata_driver_conn *c = strata__calloc(1, ctx->drv->conn_size);

	if (!c)
		return NULL;
	c->driver = ctx->drv;
	c->ctx = ctx;
	c->verbose = ctx->verbose;
	strata__connect_params(ctx, p, create);
	return c;
}

void strata__connect_params(strata_ctx *ctx, struct strata_connect_params *p,
                            int create)
{
	memset(p, 0, sizeof(*p));
	p->url = ctx->url;
	p->schema = ctx->schema;
	p->lock_timeout_ms = ctx->lock_timeout_ms;
	p->application_name = "strata";
	p->create = create;
}

int strata__conn_adopt(strata_ctx *ctx, struct strata_driver_conn *c)
{
	ctx->conn = c;
	c->ctx = ctx;
	c->verbose = ctx->verbose;
	return resolve_schema(ctx);
}

int strata_database(strata_ctx *ctx, strata_database_op op)
{
	static const char *const what[] = { "wait", "create", "drop" };
	struct strata_connect_params p;
	struct strata_driver_conn *c;
	int rc;

	strata__error_clear(ctx);
	if ((unsigned)op > STRATA_DATABASE_DROP)
		return strata__error_set(ctx, STRATA_EINVALID,
		                         "unknown database operation %d",
		                         (int)op);
	/* drop needs the database free of strata's own connection */
	strata__disconnect(ctx);
	rc = strata__driver_resolve(ctx);
	if (rc < 0)
		return rc;
	if (!ctx->drv->database)
		return strata__error_set(ctx, STRATA_ENOTSUPP,
		                         "%s is not available for %s", what[op],
		                         ctx->drv->name);
	c = new_conn(ctx, &p, op == STRATA_DATABASE_CREATE);
	if (!c)
		return strata__oom(ctx);
	rc = ctx->drv->database(c, &p, op);
	ctx->drv->disconnect(c);
	strata__free(c);
	return rc;
}

int strata__connect(strata_ctx *ctx, int create)
{
	struct strata_connect_params p;
	struct strata_driver_conn *c;
	int rc;

	/* a connection opened for reading is reused for writing: the schema
	 * is created when writing first needs it. One to a standby is not:
	 * connecting again to write gets the driver's refusal. */
	if (ctx->conn && create && ctx->conn->read_only)
		strata__disconnect(ctx);
	if (ctx->conn)
		return create ? ensure_schema(ctx) : 0;
	rc = strata__driver_resolve(ctx);
	if (rc < 0)
		return rc;
	/* refused before connecting (a SQLite file would be created) and for
	 * every command, reading ones too */
	if (ctx->schema && ctx->schema[0] && !ctx->drv->ensure_schema)
		return strata__no_schemas(ctx, STRATA_EINVALID);
	c = new_conn(ctx, &p, create);
	if (!c)
		return strata__oom(ctx);
	rc = ctx->drv->connect(c, &p);
	if (rc < 0) {
		ctx->drv->disconnect(c);
		strata__free(c);
		return rc;
	}
	rc = strata__conn_adopt(ctx, c);
	if (rc == 0 && create)
		rc = ensure_schema(ctx);
	return rc;
}

int strata__rollback_quietly(strata_ctx *ctx)
{
	struct saved_error saved;
	int rc;

	strata__error_save(ctx, &saved);
	rc = ctx->drv->rollback(ctx->conn);
	strata__error_restore(ctx, &saved);
	ctx->in_txn = 0;
	return rc;
}

void strata__session_release(strata_ctx *ctx)
{
	struct saved_error saved;

	if (!ctx->conn)
		return;
	strata__error_save(ctx, &saved);
	if (ctx->in_txn) {
		struct txn t = { ctx, 1 };

		strata__txn_rollback(&t);
	}
	if (ctx->locked && ctx->drv->unlock)
		ctx->drv->unlock(ctx->conn, ctx->lock_key);
	ctx->locked = 0;
	strata__error_restore(ctx, &saved);
}

void strata__disconnect(strata_ctx *ctx)
{
	if (!ctx->conn)
		return;
	strata__session_release(ctx);
	ctx->drv->disconnect(ctx->conn);
	strata__free(ctx->conn);
	ctx->conn = NULL;
	ctx->schema_ensured = 0;
}

const char *strata__driver_name(const strata_ctx *ctx)
{
	return ctx->drv->name;
}

/* What a connection through a transaction pooler cannot do (driver.h) */
#define POOLED_LACKS (STRATA_DRIVER_CAP_LOCK | STRATA_DRIVER_CAP_BATCH)

int strata__driver_can(const strata_ctx *ctx, unsigned caps)
{
	unsigned have = ctx->drv->caps;

	if (ctx->conn && ctx->conn->pooled)
		have &= ~(unsigned)POOLED_LACKS;
	return (have & caps) == caps;
}

unsigned strata__driver_dialect(const strata_ctx *ctx)
{
	return ctx->drv ? ctx->drv->dialect : 0;
}

int strata__driver_has(const strata_ctx *ctx, enum strata_driver_method m)
{
	const struct strata_driver *d = ctx->drv;

	switch (m) {
	case STRATA_DRV_EXEC_PARAMS:
		return d->exec_params != NULL;
	case STRATA_DRV_EXEC_CLOCKED:
		return d->exec_clocked != NULL;
	case STRATA_DRV_LOCK:
		return d->lock != NULL;
	case STRATA_DRV_ENSURE_SCHEMA:
		return d->ensure_schema != NULL;
	case STRATA_DRV_CHANGES:
		return d->changes != NULL;
	case STRATA_DRV_ONE_ROW_SQL:
		return d->one_row_sql != NULL;
	case STRATA_DRV_DROP_ALL:
		return d->drop_all_sql != NULL;
	case STRATA_DRV_BACKUP:
		return d->backup != NULL;
	case STRATA_DRV_RESTORE:
		return d->restore != NULL;
	case STRATA_DRV_RESTORE_CHECK:
		return d->restore_check != NULL;
	case STRATA_DRV_STATE_KEY:
		return d->state_key != NULL;
	case STRATA_DRV_SCHEMA_SQL:
		return d->schema_sql != NULL;
	case STRATA_DRV_DELIMITERS:
		return d->delimiters != NULL;
	case STRATA_DRV_DUMP:
		return d->dump != NULL;
	case STRATA_DRV_CATALOG:
		return d->catalog != NULL;
	case STRATA_DRV_LOCK_WAIT:
		return d->lock_wait_sql != NULL;
	case STRATA_DRV_INVALID_INDEXES:
		return d->invalid_indexes != NULL;
	}
	return 0;
}

const char *strata__driver_text(const strata_ctx *ctx,
                                enum strata_driver_text t)
{
	const struct strata_driver *d = ctx->drv;

	switch (t) {
	case STRATA_DRV_TIMESTAMP_TYPE:
		return d->timestamp_type;
	case STRATA_DRV_SCRIPT_CLIENT:
		return d->script_client;
	case STRATA_DRV_NOW_SQL:
		return d->now_sql;
	case STRATA_DRV_ASYNC_COMMIT_SQL:
		return d->async_commit_sql;
	case STRATA_DRV_ELAPSED_MS_SQL:
		return d->elapsed_ms_sql;
	case STRATA_DRV_MESSAGE_CLOCK_SQL:
		return d->message_clock_sql;
	case STRATA_DRV_CLOCK_SQL:
		return d->clock_sql;
	case STRATA_DRV_FLUSH_SQL:
		return d->flush_sql;
	case STRATA_DRV_BACKUP_EXTENSION:
		return d->backup_extension;
	case STRATA_DRV_CURRENT_SCHEMA_SQL:
		return d->current_schema_sql;
	case STRATA_DRV_CHANGE_COUNTER_SQL:
		return d->change_counter_sql;
	case STRATA_DRV_DELIMITER_RESET:
		return d->delimiter_reset;
	case STRATA_DRV_WIDEN_DIRTY_SQL:
		return d->widen_dirty_sql;
	case STRATA_DRV_DROP_INDEX_SQL:
		return d->drop_index_sql;
	case STRATA_DRV_SCRATCH_URL:
		return d->scratch_url;
	}
	return NULL;
}

int strata__conn_exec(strata_ctx *ctx, const char *sql, size_t len)
{
	return ctx->drv->exec(ctx->conn, sql, len);
}

int strata__conn_exec_params(strata_ctx *ctx, const char *sql, int n,
                             const char *const *values)
{
	if (!ctx->drv->exec_params)
		return STRATA_ENOTSUPP;
	return ctx->drv->exec_params(ctx->conn, sql, n, values);
}

int strata__conn_exec_clocked(strata_ctx *ctx, const char *sql, size_t len,
                              double *clocks, size_t max, size_t *n)
{
	if (!ctx->drv->exec_clocked)
		return STRATA_ENOTSUPP;
	return ctx->drv->exec_clocked(ctx->conn, sql, len, clocks, max, n);
}

int strata__conn_query(strata_ctx *ctx, const char *sql, strata_row_cb cb,
                       void *payload)
{
	return ctx->drv->query(ctx->conn, sql, cb, payload);
}

int strata__conn_lock(strata_ctx *ctx, const char *key, int timeout_ms)
{
	if (!ctx->drv->lock)
		return STRATA_ENOTSUPP;
	return ctx->drv->lock(ctx->conn, key, timeout_ms);
}

int strata__conn_unlock(strata_ctx *ctx, const char *key)
{
	if (!ctx->drv->unlock)
		return STRATA_ENOTSUPP;
	return ctx->drv->unlock(ctx->conn, key);
}

int strata__conn_quote_ident(strata_ctx *ctx, strata_buf *out,
                             const char *ident)
{
	return ctx->drv->quote_ident(ctx->conn, out, ident);
}

int strata__conn_quote_literal(strata_ctx *ctx, strata_buf *out, const char *s)
{
	return ctx->drv->quote_literal(ctx->conn, out, s);
}

int strata__conn_table_columns(strata_ctx *ctx, const char *schema,
                               const char *table, strata_row_cb cb,
                               void *payload)
{
	return ctx->drv->table_columns(ctx->conn, schema, table, cb, payload);
}

int64_t strata__conn_changes(strata_ctx *ctx)
{
	return ctx->drv->changes ? ctx->drv->changes(ctx->conn) : -1;
}

int strata__conn_one_row_sql(strata_ctx *ctx, strata_buf *out, const char *stmt,
                             size_t len)
{
	if (!ctx->drv->one_row_sql)
		return STRATA_EINVALID;
	return ctx->drv->one_row_sql(ctx->conn, out, stmt, len);
}

int strata__conn_drop_all_sql(strata_ctx *ctx, const char *schema,
                              strata_buf *out)
{
	if (!ctx->drv->drop_all_sql)
		return STRATA_ENOTSUPP;
	return ctx->drv->drop_all_sql(ctx->conn, schema, out);
}

int strata__conn_backup(strata_ctx *ctx, const char *path, int fd)
{
	if (!ctx->drv->backup)
		return STRATA_ENOTSUPP;
	return ctx->drv->backup(ctx->conn, ctx->url, path, fd);
}

int strata__conn_restore(strata_ctx *ctx, const char *path)
{
	if (!ctx->drv->restore)
		return STRATA_ENOTSUPP;
	return ctx->drv->restore(ctx->conn, ctx->url, path);
}

int strata__conn_dump(strata_ctx *ctx, strata_buf *out)
{
	if (!ctx->drv->dump)
		return STRATA_ENOTSUPP;
	return ctx->drv->dump(ctx->conn, ctx->url, out);
}

int strata__conn_catalog(strata_ctx *ctx, const char *schema, strata_row_cb cb,
                         void *payload)
{
	if (!ctx->drv->catalog)
		return STRATA_ENOTSUPP;
	return ctx->drv->catalog(ctx->conn, schema, cb, payload);
}

int strata__conn_lock_wait_sql(strata_ctx *ctx, strata_buf *out, int timeout_ms,
                               int local)
{
	if (!ctx->drv->lock_wait_sql)
		return STRATA_ENOTSUPP;
	return ctx->drv->lock_wait_sql(ctx->conn, out, timeout_ms, local);
}

int strata__driver_lock_wait_gave_up(const strata_ctx *ctx)
{
	if (!ctx->drv || !ctx->drv->lock_wait_gave_up)
		return 0;
	return ctx->drv->lock_wait_gave_up(ctx->err.sqlstate,
	                                   ctx->err.native_code) != 0;
}

int strata__driver_same_database(const strata_ctx *a, const strata_ctx *b)
{
	if (!a->drv || a->drv != b->drv || !a->drv->same_database)
		return -1;
	return a->drv->same_database(a->url, b->url) ? 1 : 0;
}

int strata__conn_dump_local_sql(strata_ctx *ctx, strata_buf *out,
                                const char *dump, size_t len)
{
	if (!ctx->drv->dump_local_sql)
		return strata__buf_put(out, dump, len) < 0 ? STRATA_ENOMEM : 0;
	return ctx->drv->dump_local_sql(out, dump, len);
}

int strata__conn_invalid_indexes(strata_ctx *ctx, const char *schema,
                                 strata_row_cb cb, void *payload)
{
	if (!ctx->drv->invalid_indexes)
		return STRATA_ENOTSUPP;
	return ctx->drv->invalid_indexes(ctx->conn, schema, cb, payload);
}

int strata__conn_schema_sql(strata_ctx *ctx, const char *schema,
                            strata_buf *out)
{
	if (!ctx->drv->schema_sql)
		return STRATA_ENOTSUPP;
	return ctx->drv->schema_sql(ctx->conn, schema, out);
}

int strata__driver_split(const strata_ctx *ctx, const char *sql, size_t len,
                         strata_stmt_cb cb, void *payload)
{
	return ctx->drv->split(sql, len, cb, payload);
}

int strata__driver_delimiters(const strata_ctx *ctx, const char *sql,
                              size_t len,
                              int (*cb)(void *payload, size_t off,
                                        const char *delim, size_t n),
                              void *payload)
{
	if (!ctx->drv->delimiters)
		return STRATA_ENOTSUPP;
	return ctx->drv->delimiters(sql, len, cb, payload);
}

int strata__driver_restore_check(const strata_ctx *ctx, const char *path,
                                 int fd, strata_buf *what, unsigned long *line)
{
	if (!ctx->drv->restore_check)
		return STRATA_ENOTSUPP;
	return ctx->drv->restore_check(path, fd, ctx->table, what, line);
}

int strata__driver_state_key(const strata_ctx *ctx, strata_buf *out)
{
	if (!ctx->drv->state_key)
		return STRATA_ENOTSUPP;
	return ctx->drv->state_key(ctx->url, out);
}

int strata__txn_begin(struct txn *t, strata_ctx *ctx)
{
	int rc;

	t->ctx = ctx;
	t->open = 0;
	/* one transaction at a time: a nested BEGIN is a bug */
	STRATA_ASSERT(ctx, !ctx->in_txn && ctx->conn);
	rc = ctx->drv->begin(ctx->conn);
	t->open = rc == 0;
	ctx->in_txn = t->open;
	return rc;
}

void strata__txn_adopt(struct txn *t, strata_ctx *ctx)
{
	t->ctx = ctx;
	t->open = 1;
	ctx->in_txn = 1;
}

int strata__txn_commit(struct txn *t)
{
	int rc;

	if (!t->open)
		return 0;
	rc = t->ctx->drv->commit(t->ctx->conn);
	t->open = 0;
	t->ctx->in_txn = 0;
	return rc;
}

int strata__txn_committed(struct txn *t)
{
	if (t->open)
		t->ctx->in_txn = 0;
	t->open = 0;
	return 0;
}

int strata__txn_rollback(struct txn *t)
{
	if (!t->open)
		return -1;
	t->open = 0;
	/* the error that made the caller roll back is the one to report */
	return strata__rollback_quietly(t->ctx);
}

int strata__txn_end(struct txn *t, int rc)
{
	if (rc == 0)
		return strata__txn_commit(t);
	strata__txn_rollback(t);
	return rc;
}
