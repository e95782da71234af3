/*
 * What the history table and its log are called and stamped with: the
 * schema, the quoted names, the kinds' names, the time and the user.
 * Apart from history.c, so that the log (history_log.c) and the table's
 * writer use them without calling each other.
 */
#include <pwd.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "history.h"

const char *strata__schema(const strata_ctx *ctx)
{
	if (ctx->schema && ctx->schema[0])
		return ctx->schema;
	return ctx->resolved_schema;
}

const char *strata_kind_name(strata_kind kind)
{
	switch (kind) {
	case STRATA_KIND_VERSIONED:
		return "versioned";
	case STRATA_KIND_REPEATABLE:
		return "repeatable";
	case STRATA_KIND_BASELINE:
		return "baseline";
	}
	return "versioned";
}

int strata__history_qualified_as(strata_ctx *ctx, strata_buf *out,
                                 const char *suffix)
{
	const char *schema = strata__schema(ctx);
	strata_buf name = STRATA_BUF_INIT;
	int rc = strata__buf_printf(&name, "%s%s", ctx->table, suffix);

	if (rc == 0 && schema && schema[0]) {
		rc = strata__conn_quote_ident(ctx, out, schema);
		if (rc == 0)
			rc = strata__buf_putc(out, '.');
	}
	if (rc == 0)
		rc = strata__conn_quote_ident(ctx, out, name.ptr);
	if (rc == STRATA_EINVALID)
		strata__error_set(ctx, rc,
		                  "%s/%s name '%s' is too "
		                  "long or invalid for %s",
		                  strata__setting(ctx, STRATA_SETTING_TABLE),
		                  strata__setting(ctx, STRATA_SETTING_SCHEMA),
		                  ctx->schema && ctx->schema[0] && !suffix[0] ?
		                          ctx->schema :
		                          name.ptr,
		                  strata__driver_name(ctx));
	strata_buf_release(&name);
	if (rc == STRATA_EINVALID)
		return rc;
	return rc < 0 ? strata__oom(ctx) : 0;
}

int strata__history_qualified(strata_ctx *ctx, strata_buf *out)
{
	return strata__history_qualified_as(ctx, out, "");
}

void strata__now_utc(char out[32])
{
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(out, 24, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out + 19, 13, ".%03d", (int)(tv.tv_usec / 1000) % 1000);
}

const char *strata__applied_by(void)
{
	static char who[300];
	char host[256] = "";
	const char *user = getenv("USER");

	if (who[0])
		return who;
	if (!user || !user[0]) {
		struct passwd *pw = getpwuid(geteuid());

		user = pw ? pw->pw_name : "unknown";
	}
	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	snprintf(who, sizeof(who), "%.40s%s%.200s", user, host[0] ? "@" : "",
	         host);
	return who;
}

int strata__kind_parse(const char *s, strata_kind *out)
{
	if (!s)
		return -1;
	if (strcmp(s, "versioned") == 0)
		*out = STRATA_KIND_VERSIONED;
	else if (strcmp(s, "repeatable") == 0)
		*out = STRATA_KIND_REPEATABLE;
	else if (strcmp(s, "baseline") == 0)
		*out = STRATA_KIND_BASELINE;
	else
		return -1;
	return 0;
}
