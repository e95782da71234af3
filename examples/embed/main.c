/*
 * An application that migrates its own database at start-up with
 * libstrata: build it against an installed strata with
 *
 *   cc -std=c11 main.c $(pkg-config --cflags --libs strata) -o app
 *   ./app sqlite:app.db path/to/migrations
 */
#include <stdio.h>

#include <strata/strata.h>

static void progress(const strata_event *ev, void *payload)
{
	(void)payload;
	if (ev->kind == STRATA_EVENT_APPLY_DONE)
		printf("applied %s_%s in %lld ms\n",
		       ev->migration->version_text, ev->migration->name,
		       (long long)ev->elapsed_ms);
}

int main(int argc, char **argv)
{
	strata_options o = { 0 };
	const strata_migration *v;
	strata_ctx *ctx;
	size_t n, i;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: %s DATABASE_URL MIGRATIONS_DIR\n",
		        argv[0]);
		return 2;
	}
	o.database_url = argv[1];
	o.migrations_dir = argv[2];
	o.on_event = progress;
	if (strata_ctx_new(&ctx, &o) < 0)
		return 1;
	rc = strata_up(ctx, NULL, &n);
	if (rc == 0)
		rc = strata_status(&v, &n, ctx, 0);
	if (rc < 0) {
		const strata_error *e = strata_error_last(ctx);

		fprintf(stderr, "%s%s%s (%s)\n", e->file,
		        e->file[0] ? ": " : "", e->message,
		        strata_strerror(rc));
		strata_ctx_free(ctx);
		return 1;
	}
	for (i = 0; i < n; i++)
		printf("%s %s\n", v[i].version_text,
		       strata_state_name(v[i].state));
	strata_ctx_free(ctx);
	return 0;
}
