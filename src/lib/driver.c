/*
 * The driver registry (built-in drivers are compiled in when their client
 * library was found) and the connection lifecycle.
 */
#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "url.h"

#define MAX_DRIVERS 16

static const struct strata_driver *builtin[] = {
	&strata__driver_sqlite,
#if STRATA_HAVE_PG
	&strata__driver_postgres,
#endif
#if STRATA_HAVE_MYSQL
	&strata__driver_mysql,
#endif
};

static const struct strata_driver *registered[MAX_DRIVERS];

int strata_driver_register(const struct strata_driver *drv)
{
	size_t i;

	if (!drv || drv->version != STRATA_DRIVER_VERSION || !drv->name ||
	    !drv->schemes || !drv->connect || !drv->disconnect || !drv->exec ||
	    !drv->query || !drv->begin || !drv->commit || !drv->rollback ||
	    !drv->quote_ident || !drv->quote_literal || !drv->split ||
	    !drv->table_columns ||
	    drv->conn_size < sizeof(struct strata_driver_conn))
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

const struct strata_driver *strata__driver_find(const char *scheme)
{
	size_t i;

	for (i = 0; i < MAX_DRIVERS && registered[i]; i++)
		if (has_scheme(registered[i], scheme))
			return registered[i];
	for (i = 0; i < ARRAY_SIZE(builtin); i++)
		if (has_scheme(builtin[i], scheme))
			return builtin[i];
	return NULL;
}

int strata__driver_resolve(strata_ctx *ctx)
{
	char scheme[32];

	if (ctx->drv)
		return 0;
	if (strata__url_scheme(scheme, sizeof(scheme), ctx->url) < 0)
		return strata__error_set(
		        ctx, STRATA_EINVALID,
		        "database URL '%s' has no scheme: use sqlite:FILE, "
		        "postgres://... or mysql://...",
		        ctx->url_redacted);
	ctx->drv = strata__driver_find(scheme);
	if (!ctx->drv) {
		if (strcmp(scheme, "postgres") == 0 ||
		    strcmp(scheme, "postgresql") == 0 ||
		    strcmp(scheme, "mysql") == 0 ||
		    strcmp(scheme, "mariadb") == 0)
			return strata__error_set(
			        ctx, STRATA_ENOTSUPP,
			        "this strata was built without the %s driver",
			        scheme);
		return strata__error_set(ctx, STRATA_EINVALID,
		                         "unknown database URL scheme '%s:' "
		                         "(known: sqlite:, postgres://, "
		                         "mysql://)",
		                         scheme);
	}
	return 0;
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
	rc = ctx->drv->query(ctx->conn, ctx->drv->current_schema_sql,
	                     first_value, &ctx->resolved_schema);
	return rc == STRATA_ENOMEM ?
	               strata__error_set(ctx, rc, "out of memory") :
	               rc;
}

static int ensure_schema(strata_ctx *ctx)
{
	int rc;

	if (ctx->schema_ensured || !ctx->schema || !ctx->schema[0])
		return 0;
	if (!ctx->drv->ensure_schema)
		return strata__error_set(ctx, STRATA_ENOTSUPP,
		                         "%s has no schemas: --schema cannot "
		                         "be used",
		                         ctx->drv->name);
	rc = ctx->drv->ensure_schema(ctx->conn, ctx->schema);
	ctx->schema_ensured = rc == 0;
	return rc;
}

int strata__connect(strata_ctx *ctx, int create)
{
	struct strata_connect_params p;
	struct strata_driver_conn *c;
	int rc;

	/* a read-only connection is reused for writing: the schema is
	 * created when writing first needs it */
	if (ctx->conn)
		return create ? ensure_schema(ctx) : 0;
	rc = strata__driver_resolve(ctx);
	if (rc < 0)
		return rc;
	/* refused before connecting (a SQLite file would be created) and for
	 * every command, reading ones too */
	if (ctx->schema && ctx->schema[0] && !ctx->drv->ensure_schema)
		return strata__error_set(ctx, STRATA_EINVALID,
		                         "%s has no schemas: --schema cannot "
		                         "be used",
		                         ctx->drv->name);
	c = strata__calloc(1, ctx->drv->conn_size);
	if (!c)
		return strata__error_set(ctx, STRATA_ENOMEM, "out of memory");
	c->driver = ctx->drv;
	c->ctx = ctx;
	c->verbose = ctx->verbose;
	memset(&p, 0, sizeof(p));
	p.url = ctx->url;
	p.schema = ctx->schema;
	p.lock_timeout_ms = ctx->lock_timeout_ms;
	p.application_name = "strata";
	p.create = create;
	rc = ctx->drv->connect(c, &p);
	if (rc < 0) {
		ctx->drv->disconnect(c);
		strata__free(c);
		return rc;
	}
	ctx->conn = c;
	rc = resolve_schema(ctx);
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

void strata__disconnect(strata_ctx *ctx)
{
	struct saved_error saved;

	if (!ctx->conn)
		return;
	strata__error_save(ctx, &saved);
	if (ctx->in_txn) {
		ctx->drv->rollback(ctx->conn);
		ctx->in_txn = 0;
	}
	if (ctx->locked && ctx->drv->unlock)
		ctx->drv->unlock(ctx->conn, ctx->lock_key);
	ctx->locked = 0;
	strata__error_restore(ctx, &saved);
	ctx->drv->disconnect(ctx->conn);
	strata__free(ctx->conn);
	ctx->conn = NULL;
	ctx->schema_ensured = 0;
}
