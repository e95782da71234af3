/*
 * Error detail on the context (strata_error_last) and the code table.
 */
#include <stdarg.h>

#include "common.h"
#include "ctx.h"
#include "../util/secret.h"

const char *strata_strerror(int code)
{
	switch (code) {
	case STRATA_OK:
		return "success";
#define STRATA__X(name, value, text) \
 case name:                          \
  return text;
		STRATA_ERROR_CODES(STRATA__X)
#undef STRATA__X
	}
	return "unknown error";
}

const char *strata_version(void)
{
	return STRATA_VERSION;
}

void strata__error_clear(strata_ctx *ctx)
{
	strata__buf_clear(&ctx->err_message);
	strata__buf_clear(&ctx->err_detail);
	strata__buf_clear(&ctx->err_file);
	memset(&ctx->err, 0, sizeof(ctx->err));
	ctx->err_offset = -1;
	ctx->err.message = ctx->err_message.ptr;
	ctx->err.detail = ctx->err_detail.ptr;
	ctx->err.file = ctx->err_file.ptr;
}

/* Mask the URL's password wherever a message repeats it (libpq echoes a
 * malformed URL whole). */
static void redact(strata_ctx *ctx)
{
	strata__mask_secret(&ctx->err_message, ctx->secret);
	strata__mask_secret(&ctx->err_message, ctx->secret_decoded);
	strata__mask_secret(&ctx->err_detail, ctx->secret);
	strata__mask_secret(&ctx->err_detail, ctx->secret_decoded);
}

/*
 * A message and each line of the detail are one line of valid UTF-8
 * without control characters, so that a name or a server's text in them
 * cannot move the cursor, colour the terminal or start a line of its own
 * ("strata: applied everything"): those are written \033, \n, \377
 * (src/util/quote.h). The password is masked first, while it still reads
 * as it was given. On allocation failure the text is dropped rather than
 * kept raw.
 */
static void refresh(strata_ctx *ctx)
{
	redact(ctx);
	if (strata__escape_buf(&ctx->err_message, 0) < 0)
		strata__buf_clear(&ctx->err_message);
	ctx->err.message = ctx->err_message.ptr;
	ctx->err.detail = ctx->err_detail.ptr;
	ctx->err.file = ctx->err_file.ptr;
}

int strata__error_set(strata_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	strata__error_clear(ctx);
	ctx->err.code = code;
	va_start(ap, fmt);
	/* on allocation failure the message stays empty; the code remains */
	if (strata__buf_vprintf(&ctx->err_message, fmt, ap) < 0)
		strata__buf_clear(&ctx->err_message);
	va_end(ap);
	refresh(ctx);
	return code;
}

int strata__oom(strata_ctx *ctx)
{
	return strata__error_set(ctx, STRATA_ENOMEM, "out of memory");
}

void strata__error_at(strata_ctx *ctx, const char *file, int line, int col)
{
	strata__buf_clear(&ctx->err_file);
	if (file && strata__buf_puts(&ctx->err_file, file) < 0)
		strata__buf_clear(&ctx->err_file);
	ctx->err.line = line;
	ctx->err.column = col;
	refresh(ctx);
}

void strata__error_detail(strata_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	size_t old = ctx->err_detail.len;

	va_start(ap, fmt);
	if ((old && strata__buf_putc(&ctx->err_detail, '\n') < 0) ||
	    strata__buf_vprintf(&ctx->err_detail, fmt, ap) < 0)
		strata__buf_truncate(&ctx->err_detail, old);
	va_end(ap);
	/* this line is one line: a newline in it is data (refresh) */
	redact(ctx);
	if (strata__escape_buf(&ctx->err_detail, old ? old + 1 : 0) < 0)
		strata__buf_truncate(&ctx->err_detail, old);
	refresh(ctx);
}

void strata__error_prefix(strata_ctx *ctx, const char *fmt, ...)
{
	strata_buf b = STRATA_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	if (strata__buf_vprintf(&b, fmt, ap) == 0 &&
	    strata__buf_puts(&b, ": ") == 0 &&
	    strata__buf_put(&b, ctx->err_message.ptr, ctx->err_message.len) ==
	            0) {
		strata_buf_release(&ctx->err_message);
		ctx->err_message = b;
		b = (strata_buf)STRATA_BUF_INIT;
	}
	va_end(ap);
	strata_buf_release(&b);
	refresh(ctx);
}

void strata__error_reword(strata_ctx *ctx, const char *fmt, ...)
{
	strata_buf b = STRATA_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	if (strata__buf_vprintf(&b, fmt, ap) == 0) {
		strata_buf_release(&ctx->err_message);
		ctx->err_message = b;
		b = (strata_buf)STRATA_BUF_INIT;
	}
	va_end(ap);
	strata_buf_release(&b);
	refresh(ctx);
}

void strata__error_sqlstate(strata_ctx *ctx, const char *sqlstate)
{
	snprintf(ctx->err.sqlstate, sizeof(ctx->err.sqlstate), "%s", sqlstate);
}

void strata__error_save(strata_ctx *ctx, struct saved_error *s)
{
	s->err = ctx->err;
	s->message = ctx->err_message;
	s->detail = ctx->err_detail;
	s->file = ctx->err_file;
	s->offset = ctx->err_offset;
	ctx->err_message = ctx->err_detail = ctx->err_file =
	        (strata_buf)STRATA_BUF_INIT;
	strata__error_clear(ctx);
}

void strata__error_restore(strata_ctx *ctx, struct saved_error *s)
{
	strata_buf_release(&ctx->err_message);
	strata_buf_release(&ctx->err_detail);
	strata_buf_release(&ctx->err_file);
	ctx->err_message = s->message;
	ctx->err_detail = s->detail;
	ctx->err_file = s->file;
	ctx->err = s->err;
	ctx->err_offset = s->offset;
	refresh(ctx);
}

const strata_error *strata_error_last(const strata_ctx *ctx)
{
	return &ctx->err;
}

/* text made safe as clean() does; with lines, each of its lines alone */
static int safe_text(strata_buf *out, const char *s, int lines)
{
	const char *nl;
	int rc = 0;

	while (rc == 0 && lines && (nl = strchr(s, '\n')) != NULL) {
		rc = strata__escape_put(out, s, (size_t)(nl - s));
		if (rc == 0)
			rc = strata__buf_putc(out, '\n');
		s = nl + 1;
	}
	return rc == 0 ? strata__escape_put(out, s, strlen(s)) : rc;
}

void strata__emit(strata_ctx *ctx, strata_event_kind kind,
                  const strata_migration *m, const char *message,
                  int64_t elapsed_ms)
{
	strata_buf safe = STRATA_BUF_INIT;
	strata_event ev;

	if (!ctx->on_event)
		return;
	/* SQL is the script itself; every other message is text to show,
	 * made safe as error messages are (a driver's notice keeps its
	 * lines) */
	if (message && kind != STRATA_EVENT_SQL)
		message = safe_text(&safe, message,
		                    kind == STRATA_EVENT_NOTICE) == 0 ?
		                  safe.ptr :
		                  "";
	ev.kind = kind;
	ev.migration = m;
	ev.message = message;
	ev.elapsed_ms = elapsed_ms;
	ev.position = ev.total = 0;
	ev.file = NULL;
	ev.line = 0;
	ev.backup = kind == STRATA_EVENT_REVERT_DONE && ctx->run_backup.len ?
	                    ctx->run_backup.ptr :
	                    NULL;
	if (ctx->run_total && (kind == STRATA_EVENT_APPLY_START ||
	                       kind == STRATA_EVENT_APPLY_DONE ||
	                       kind == STRATA_EVENT_REVERT_START ||
	                       kind == STRATA_EVENT_REVERT_DONE)) {
		ev.position = ctx->run_done + 1;
		ev.total = ctx->run_total;
	}
	ctx->on_event(&ev, ctx->payload);
	strata_buf_release(&safe);
}

void strata__emitf(strata_ctx *ctx, strata_event_kind kind, const char *fmt,
                   ...)
{
	strata_buf b = STRATA_BUF_INIT;
	va_list ap;

	if (!ctx->on_event)
		return;
	va_start(ap, fmt);
	if (strata__buf_vprintf(&b, fmt, ap) == 0)
		strata__emit(ctx, kind, NULL, b.ptr, 0);
	va_end(ap);
	strata_buf_release(&b);
}

/* Driver-facing error API (include/strata/sys/driver.h). */

int strata_driver_set_error(struct strata_driver_conn *c, int code,
                            const char *sqlstate, int native_code, long offset,
                            const char *fmt, ...)
{
	strata_ctx *ctx = c->ctx;
	va_list ap;

	strata__error_clear(ctx);
	ctx->err.code = code;
	va_start(ap, fmt);
	if (strata__buf_vprintf(&ctx->err_message, fmt, ap) < 0)
		strata__buf_clear(&ctx->err_message);
	va_end(ap);
	/* database messages often end in a newline or full stop: trim */
	while (ctx->err_message.len &&
	       (ctx->err_message.ptr[ctx->err_message.len - 1] == '\n' ||
	        ctx->err_message.ptr[ctx->err_message.len - 1] == ' '))
		strata__buf_truncate(&ctx->err_message,
		                     ctx->err_message.len - 1);
	if (sqlstate)
		snprintf(ctx->err.sqlstate, sizeof(ctx->err.sqlstate), "%s",
		         sqlstate);
	ctx->err.native_code = native_code;
	/* the engine maps this byte offset to a file position */
	ctx->err_offset = offset;
	refresh(ctx);
	return code;
}

int strata_driver_interrupted(const struct strata_driver_conn *c)
{
	return c->ctx->interrupted != 0;
}

void strata_driver_add_detail(struct strata_driver_conn *c, const char *text)
{
	size_t n = strlen(text);
	const char *nl;

	while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
		n--;
	/* a server's multi-line context: one detail line each */
	while (n && (nl = memchr(text, '\n', n)) != NULL) {
		if (nl > text)
			strata__error_detail(c->ctx, "%.*s", (int)(nl - text),
			                     text);
		n -= (size_t)(nl - text) + 1;
		text = nl + 1;
	}
	if (!n)
		return;
	strata__error_detail(c->ctx, "%.*s", (int)n, text);
}

void strata_driver_notice(struct strata_driver_conn *c, const char *text)
{
	size_t n = strlen(text);
	char *t;

	if (!c->verbose || !c->ctx->on_event)
		return;
	while (n && text[n - 1] == '\n')
		n--;
	t = strata__strndup(text, n);
	if (!t)
		return;
	strata__emit(c->ctx, STRATA_EVENT_NOTICE, NULL, t, 0);
	strata__free(t);
}

void strata_driver_info(struct strata_driver_conn *c, const char *text)
{
	if (c->ctx->on_event)
		strata__emit(c->ctx, STRATA_EVENT_INFO, NULL, text, 0);
}
