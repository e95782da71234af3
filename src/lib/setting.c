/*
 * How messages name the settings they tell the user to change: with the
 * caller's words (the CLI gives its options) or the library's own, the
 * members of its option structs. A library message never speaks of the
 * CLI's options by itself.
 */
#include "ctx.h"
#include "strata/sys/driver.h"

static const char *const own_names[STRATA_SETTING_COUNT] = {
	[STRATA_SETTING_DATABASE] = "strata_options.database_url",
	[STRATA_SETTING_DIR] = "strata_options.migrations_dir",
	[STRATA_SETTING_TABLE] = "strata_options.table",
	[STRATA_SETTING_SCHEMA] = "strata_options.schema",
	[STRATA_SETTING_LOCK_TIMEOUT] = "strata_options.lock_timeout_ms",
	[STRATA_SETTING_TO] = "strata_run_options.to",
	[STRATA_SETTING_ALLOW_OUT_OF_ORDER] =
	        "strata_run_options.allow_out_of_order",
	[STRATA_SETTING_NO_BACKUP] = "strata_run_options.no_backup",
	[STRATA_SETTING_BACKUP_SUFFIX] = "strata_run_options.backup_suffix",
	[STRATA_SETTING_SINGLE_TRANSACTION] =
	        "strata_run_options.single_transaction",
	[STRATA_SETTING_ANY_FILE] = "strata_restore_options.any_file",
	[STRATA_SETTING_ADOPT_FROM] = "strata_adopt_options.from",
	[STRATA_SETTING_ADOPT_UNDO] = "strata_adopt_options.undo",
	[STRATA_SETTING_ADOPT_PRUNE] = "strata_adopt_options.prune",
	[STRATA_SETTING_DDL_LOCK_TIMEOUT] =
	        "strata_options.ddl_lock_timeout_ms",
};

const char *strata_setting_default_name(strata_setting s)
{
	return (unsigned)s < STRATA_SETTING_COUNT ? own_names[s] : NULL;
}

const char *strata__setting(const strata_ctx *ctx, strata_setting s)
{
	const char *name =
	        ctx->setting_name ? ctx->setting_name(s, ctx->payload) : NULL;

	if (name)
		return name;
	name = strata_setting_default_name(s);
	return name ? name : "?";
}

const char *strata_driver_setting(const struct strata_driver_conn *c,
                                  strata_setting s)
{
	return strata__setting(c->ctx, s);
}
