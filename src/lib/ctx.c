/*
 * Creating and freeing a project context.
 */
#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "../util/url.h"
#include "adopt.h"
#include "lint.h"

#define DEFAULT_URL     "sqlite:strata.db"
#define DEFAULT_DIR     "migrations"
#define DEFAULT_TABLE   "schema_migrations"
#define DEFAULT_TARGET  "default"
#define DEFAULT_LOCK_MS 60000

static char *dup_default(const char *s, const char *def)
{
	return strata__strdup(s && s[0] ? s : def);
}

static void free_list(char **v)
{
	char **e;

	for (e = v; e && *e; e++)
		strata__free(*e);
	strata__free(v);
}

/* A copy of a NULL-terminated list of strings (NULL stays NULL). */
static int dup_list(char ***out, const char *const *v)
{
	size_t n = 0, i;

	*out = NULL;
	if (!v)
		return 0;
	while (v[n])
		n++;
	*out = strata__calloc(n + 1, sizeof(char *));
	for (i = 0; *out && i < n; i++)
		if (!((*out)[i] = strata__strdup(v[i])))
			return STRATA_ENOMEM;
	return *out ? 0 : STRATA_ENOMEM;
}

int strata_ctx_new(strata_ctx **out, const strata_options *opts)
{
	strata_options none;
	strata_buf red = STRATA_BUF_INIT;
	strata_ctx *ctx;

	*out = NULL;
	if (!opts) {
		memset(&none, 0, sizeof(none));
		opts = &none;
	}
	ctx = strata__calloc(1, sizeof(*ctx));
	if (!ctx)
		return STRATA_ENOMEM;
	ctx->err_message = ctx->err_detail = ctx->err_file =
	        (strata_buf)STRATA_BUF_INIT;
	ctx->scratch = ctx->scratch2 = (strata_buf)STRATA_BUF_INIT;
	ctx->plan_history = (strata_buf)STRATA_BUF_INIT;
	ctx->insert_sql = (strata_buf)STRATA_BUF_INIT;
	ctx->log_insert_sql = (strata_buf)STRATA_BUF_INIT;
	ctx->run_backup = (strata_buf)STRATA_BUF_INIT;
	ctx->wake_w = ctx->wake_r = -1;
	strata__error_clear(ctx);
	/* only NULL means the default: an empty URL (an unset variable in
	 * `-d "$URL"`) must not quietly become ./strata.db */
	ctx->url = strata__strdup(opts->database_url ? opts->database_url :
	                                               DEFAULT_URL);
	ctx->dir = dup_default(opts->migrations_dir, DEFAULT_DIR);
	ctx->table = dup_default(opts->table, DEFAULT_TABLE);
	ctx->schema = opts->schema && opts->schema[0] ?
	                      strata__strdup(opts->schema) :
	                      NULL;
	ctx->target = dup_default(opts->target, DEFAULT_TARGET);
	ctx->lock_timeout_ms = opts->lock_timeout_ms ? opts->lock_timeout_ms :
	                                               DEFAULT_LOCK_MS;
	ctx->verbose = opts->verbose;
	if (opts->ddl_lock_timeout_ms < 0 ||
	    opts->ddl_lock_timeout_ms > STRATA_LOCKSPEC_MAX_MS ||
	    opts->ddl_lock_retries < 0 ||
	    opts->ddl_lock_retries > STRATA_LOCKSPEC_MAX_RETRIES) {
		strata_ctx_free(ctx);
		return STRATA_EINVALID;
	}
	ctx->ddl_lock.timeout_ms = opts->ddl_lock_timeout_ms;
	ctx->ddl_lock.retries = opts->ddl_lock_retries;
	ctx->exec = opts->exec;
	if (opts->exec_extension &&
	    !(ctx->exec_ext = strata__strdup(opts->exec_extension))) {
		strata_ctx_free(ctx);
		return STRATA_ENOMEM;
	}
	if (opts->exec_command && opts->exec_command[0] &&
	    !(ctx->exec_command = strata__strdup(opts->exec_command))) {
		strata_ctx_free(ctx);
		return STRATA_ENOMEM;
	}
	if (dup_list(&ctx->exec_env, opts->exec_env) < 0 ||
	    dup_list(&ctx->placeholders, opts->placeholders) < 0) {
		strata_ctx_free(ctx);
		return STRATA_ENOMEM;
	}
	if (opts->lint_levels) {
		char why[200];

		ctx->lint_levels = strata__malloc(LINT_N_RULES);
		if (!ctx->lint_levels) {
			strata_ctx_free(ctx);
			return STRATA_ENOMEM;
		}
		if (strata__lint_levels_parse(ctx->lint_levels,
		                              opts->lint_levels, why,
		                              sizeof(why)) < 0) {
			strata_ctx_free(ctx);
			return STRATA_EINVALID;
		}
	}
	ctx->on_event = opts->on_event;
	ctx->payload = opts->payload;
	ctx->setting_name = opts->setting_name;
	/* a malformed URL (STRATA_EINVALID) is refused by the driver that
	 * reads it; its password is masked all the same */
	if (ctx->url &&
	    strata__url_parse(&ctx->url_parts, ctx->url) != STRATA_ENOMEM &&
	    strata__url_secret(&ctx->url_parts, &ctx->secret,
	                       &ctx->secret_decoded) == 0 &&
	    strata__url_redact(&red, &ctx->url_parts) == 0)
		ctx->url_redacted = strata__buf_detach(&red);
	strata_buf_release(&red);
	if (!ctx->url || !ctx->dir || !ctx->table || !ctx->target ||
	    !ctx->url_redacted ||
	    (opts->schema && opts->schema[0] && !ctx->schema)) {
		strata_ctx_free(ctx);
		return STRATA_ENOMEM;
	}
	*out = ctx;
	return 0;
}

static void release_view(strata_ctx *ctx)
{
	strata__free(ctx->view);
	ctx->view = NULL;
	ctx->n_view = 0;
	strata__free(ctx->problems);
	ctx->problems = NULL;
	ctx->n_problems = 0;
	strata__free(ctx->entries);
	strata__log_release(ctx);
	ctx->entries = NULL;
	ctx->n_entries = 0;
}

void strata__ctx_release_view(strata_ctx *ctx)
{
	release_view(ctx);
}

void strata_ctx_free(strata_ctx *ctx)
{
	if (!ctx)
		return;
	strata__disconnect(ctx);
	strata__interrupt_release(ctx);
	release_view(ctx);
	strata__adopt_free(ctx);
	strata__lint_release(ctx);
	strata__free(ctx->lint_levels);
	strata__source_release(&ctx->source);
	strata__hasher_release(&ctx->hasher);
	strata__statcache_free(ctx);
	strata__history_release(&ctx->history);
	strata__free(ctx->url);
	strata__url_release(&ctx->url_parts);
	strata__free(ctx->url_redacted);
	strata__free(ctx->secret);
	strata__free(ctx->secret_decoded);
	strata__free(ctx->dir);
	strata__free(ctx->table);
	strata__free(ctx->schema);
	strata__free(ctx->resolved_schema);
	strata__free(ctx->target);
	strata__free(ctx->lock_key);
	strata__free(ctx->exec_command);
	strata__free(ctx->exec_ext);
	free_list(ctx->exec_env);
	free_list(ctx->placeholders);
	strata_buf_release(&ctx->err_message);
	strata_buf_release(&ctx->err_detail);
	strata_buf_release(&ctx->err_file);
	strata_buf_release(&ctx->scratch);
	strata_buf_release(&ctx->scratch2);
	strata_buf_release(&ctx->plan_history);
	strata_buf_release(&ctx->insert_sql);
	strata_buf_release(&ctx->log_insert_sql);
	while (ctx->n_invalid_indexes > 0)
		strata__free(ctx->invalid_indexes[--ctx->n_invalid_indexes]);
	strata__free(ctx->invalid_indexes);
	strata_buf_release(&ctx->run_backup);
	while (ctx->n_backups > 0)
		strata__free(ctx->backups[--ctx->n_backups]);
	strata__free(ctx->backups);
	strata__free(ctx);
}

const char *strata_ctx_url_redacted(const strata_ctx *ctx)
{
	return ctx->url_redacted;
}

const char *strata_state_name(strata_state state)
{
	switch (state) {
	case STRATA_STATE_PENDING:
		return "pending";
	case STRATA_STATE_APPLIED:
		return "applied";
	case STRATA_STATE_MODIFIED:
		return "modified";
	case STRATA_STATE_MISSING:
		return "missing";
	case STRATA_STATE_DIRTY:
		return "dirty";
	case STRATA_STATE_OUT_OF_ORDER:
		return "out-of-order";
	case STRATA_STATE_RENAMED:
		return "renamed";
	}
	return "unknown";
}
