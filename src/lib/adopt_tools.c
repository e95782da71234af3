/*
 * The tools `adopt` takes over, one small descriptor each: the history
 * table's name and shape, the columns read, and a row reader that says
 * what each row means, following the tool's own source (the table
 * schemas and rules are cited in the project's notes on the peers).
 */
#include <stdarg.h>
#include <strings.h>

#include "common.h"
#include "ctx.h"
#include "adopt.h"

int strata__adopt_version(const char *text, int lead,
                          char out[STRATA_VERSION_SIZE])
{
	size_t n = 0;

	if (!text)
		return -1;
	if (!lead) /* the whole text: digits, Flyway's dotted parts */
		return strata__version_parse(out, text, strlen(text)) == 0 ? 0 :
		                                                             -1;
	while (text[n] >= '0' && text[n] <= '9')
		n++;
	/* a name's version is followed by '_' (or '.': sql-migrate's 1.sql) */
	if (n == 0 || (text[n] && text[n] != '_' && text[n] != '.'))
		return -1;
	return strata__version_parse(out, text, n) == 0 ? 0 : -1;
}

static char *dup_or_null(const char *s)
{
	return s ? strata__strdup(s) : NULL;
}

static int same_row(const struct foreign_row *r, const char *group,
                    const char *version, const char *key, int repeatable)
{
	if ((group || r->group) &&
	    (!group || !r->group || strcmp(group, r->group) != 0))
		return 0;
	if (repeatable || r->repeatable)
		return repeatable && r->repeatable && key && r->key &&
		       strcmp(key, r->key) == 0;
	return version && r->version && strcmp(version, r->version) == 0;
}

int strata__adopt_put(struct adopt *a, const char *group, const char *version,
                      const char *key, const char *checksum,
                      enum foreign_state st, int repeatable, const char *why)
{
	struct foreign_row *r = NULL;
	size_t i;

	for (i = 0; i < a->n_rows; i++)
		if (same_row(&a->rows[i], group, version, key, repeatable)) {
			r = &a->rows[i];
			strata__free(r->version);
			strata__free(r->key);
			strata__free(r->checksum);
			strata__free(r->group);
			break;
		}
	if (!r) {
		if (a->n_rows == a->alloc_rows) {
			size_t n = a->alloc_rows ? a->alloc_rows * 2 : 16;
			void *p = strata__realloc(a->rows, n * sizeof(*r));

			if (!p)
				return STRATA_ENOMEM;
			a->rows = p;
			a->alloc_rows = n;
		}
		r = &a->rows[a->n_rows++];
	}
	memset(r, 0, sizeof(*r));
	r->version = dup_or_null(version);
	r->key = dup_or_null(key ? key : version);
	r->checksum = dup_or_null(checksum);
	r->group = dup_or_null(group);
	r->state = st;
	r->repeatable = repeatable;
	r->why = why;
	if ((version && !r->version) || !r->key || (checksum && !r->checksum) ||
	    (group && !r->group))
		return STRATA_ENOMEM;
	return 0;
}

int strata__adopt_bad(struct adopt *a, const char *fmt, ...)
{
	va_list ap;

	if (a->bad)
		return 0;
	a->bad = 1;
	va_start(ap, fmt);
	vsnprintf(a->bad_why, sizeof(a->bad_why), fmt, ap);
	va_end(ap);
	return 0;
}

/* A boolean as the databases return it: 1/0, t/f, true/false. */
static int truth(const char *s)
{
	static const char *const yes[] = { "1", "t", "true", "y", "yes" };
	static const char *const no[] = { "0", "f", "false", "n", "no" };
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < ARRAY_SIZE(yes); i++)
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
	for (i = 0; i < ARRAY_SIZE(no); i++)
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	return -1;
}

static int put(struct adopt *a, const char *version, const char *key,
               const char *sum, enum foreign_state st, const char *why)
{
	return strata__adopt_put(a, NULL, version, key, sum, st, 0, why);
}

/* ---- golang-migrate: schema_migrations(version, dirty), one row ---- */

static int gm_row(struct adopt *a, int n, const char *const *v)
{
	int dirty = n == 2 ? truth(v[1]) : -1;

	if (!v[0] || dirty < 0)
		return strata__adopt_bad(a, "a row with version %s, dirty %s",
		                         v[0] ? v[0] : "NULL",
		                         v[1] ? v[1] : "NULL");
	if (a->n_raw > 1)
		return strata__adopt_bad(a,
		                         "%d rows (golang-migrate keeps "
		                         "one)",
		                         a->n_raw);
	return put(a, v[0], v[0], NULL, dirty ? FS_FAILED : FS_UPTO,
	           dirty ? "dirty: golang-migrate stopped in the middle of "
	                   "this migration" :
	                   NULL);
}

/* ---- dbmate: schema_migrations(version) ---- */

static int dm_row(struct adopt *a, int n, const char *const *v)
{
	if (n < 1 || !v[0])
		return strata__adopt_bad(a, "a row whose version is NULL");
	return put(a, v[0], v[0], NULL, FS_APPLIED, NULL);
}

/* ---- goose: the latest row of each version decides ---- */

static int goose_row(struct adopt *a, int n, const char *const *v)
{
	int applied = n == 2 ? truth(v[1]) : -1;

	if (!v[0] || applied < 0)
		return strata__adopt_bad(a,
		                         "a row with version_id %s, "
		                         "is_applied %s",
		                         v[0] ? v[0] : "NULL",
		                         v[1] ? v[1] : "NULL");
	/* version 0 is the row goose writes when it creates the table */
	if (strcmp(v[0], "0") == 0)
		return 0;
	return put(a, v[0], v[0], NULL, applied ? FS_APPLIED : FS_GONE, NULL);
}

/* ---- Flyway: flyway_schema_history, in installed_rank order ---- */

static int flyway_row(struct adopt *a, int n, const char *const *v)
{
	const char *rank = v[0], *version = v[1], *type = v[2], *script = v[3],
	           *sum = v[4];
	int ok = n == 6 ? truth(v[5]) : -1;

	if (!rank || !type || !script || ok < 0)
		return strata__adopt_bad(a,
		                         "a row of rank %s that Flyway "
		                         "does not write",
		                         rank ? rank : "NULL");
	/* the insert-row lock (rank -100), the schema-creation marker */
	if (rank[0] == '-' || strcasecmp(type, "SCHEMA") == 0)
		return 0;
	if (strcasecmp(type, "BASELINE") == 0)
		return put(a, version, script, NULL, FS_BASELINE, NULL);
	if (!ok)
		return put(a, version, script, sum, FS_FAILED,
		           "success = false: Flyway recorded it failed");
	/* an undo, or a missing migration that repair marked deleted */
	if (strncasecmp(type, "UNDO", 4) == 0 ||
	    strcasecmp(type, "DELETE") == 0)
		return version ? put(a, version, script, NULL, FS_GONE, NULL) :
		                 0;
	if (!version)
		return strata__adopt_put(a, NULL, NULL, script, sum, FS_APPLIED,
		                         1, NULL);
	return put(a, version, script, sum, FS_APPLIED, NULL);
}

/* ---- sql-migrate: gorp_migrations(id = the file's name) ---- */

static int sqlm_row(struct adopt *a, int n, const char *const *v)
{
	if (n < 1 || !v[0])
		return strata__adopt_bad(a, "a row whose id is NULL");
	return put(a, v[0], v[0], NULL, FS_APPLIED, NULL);
}

/* ---- sqlx: _sqlx_migrations, SHA-384 checksums ---- */

static int sqlx_row(struct adopt *a, int n, const char *const *v)
{
	int ok = n == 4 ? truth(v[2]) : -1;

	if (!v[0] || ok < 0)
		return strata__adopt_bad(a, "a row with version %s, success %s",
		                         v[0] ? v[0] : "NULL",
		                         n > 2 && v[2] ? v[2] : "NULL");
	return put(a, v[0], v[0], v[3], ok ? FS_APPLIED : FS_FAILED,
	           ok ? NULL :
	                "success = false: sqlx recorded it failed "
	                "partway");
}

/* ---- Prisma: _prisma_migrations, as Prisma reads it ---- */

static int prisma_row(struct adopt *a, int n, const char *const *v)
{
	if (n != 4 || !v[0] || !v[1])
		return strata__adopt_bad(a, "a row without migration_name or "
		                            "checksum");
	/* `prisma migrate resolve --rolled-back`: ignored, as Prisma does */
	if (v[3])
		return 0;
	return put(a, v[0], v[0], v[1], v[2] ? FS_APPLIED : FS_FAILED,
	           v[2] ? NULL :
	                  "finished_at is NULL: Prisma recorded it started "
	                  "and not finished");
}

/* ---- Diesel: __diesel_schema_migrations(version) ---- */

static int diesel_row(struct adopt *a, int n, const char *const *v)
{
	char digits[64];
	size_t i, j = 0;

	if (n < 1 || !v[0])
		return strata__adopt_bad(a, "a row whose version is NULL");
	/* diesel's versions drop the '-' of 2020-01-01-000000 */
	for (i = 0; v[0][i] && j + 1 < sizeof(digits); i++)
		if (v[0][i] != '-')
			digits[j++] = v[0][i];
	digits[j] = '\0';
	return put(a, digits, v[0], NULL, FS_APPLIED, NULL);
}

/* ---- reference 003's migrate.sh: one row per file per layer ---- */

static int mig_sh_row(struct adopt *a, int n, const char *const *v)
{
	if (n != 3 || !v[0] || !v[1])
		return strata__adopt_bad(a, "a row without database_type or "
		                            "migration_file");
	return strata__adopt_put(a, v[0], v[1], v[1], v[2], FS_APPLIED, 0,
	                         NULL);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/*
 * The layer a migrate.sh folder is: the rows' database_type that is the
 * target's name, else the folder's name, else the only one there is.
 */
static int mig_sh_finish(struct adopt *a)
{
	const char *pick = NULL, *dir = base_name(a->ctx->dir);
	size_t i, j;
	int several = 0;

	for (i = 0; i < a->n_rows && !pick; i++)
		if (strcmp(a->rows[i].group, a->ctx->target) == 0)
			pick = a->ctx->target;
	for (i = 0; i < a->n_rows && !pick; i++)
		if (strcmp(a->rows[i].group, dir) == 0)
			pick = dir;
	for (i = 0; i < a->n_rows && !pick; i++) {
		if (i > 0 && strcmp(a->rows[i].group, a->rows[0].group) != 0)
			several = 1;
	}
	if (!pick && a->n_rows && !several)
		pick = a->rows[0].group;
	if (!pick && a->n_rows)
		return strata__adopt_bad(
		        a,
		        "rows of several database_type values and none is "
		        "the folder's name ('%s') or the target's ('%s')",
		        dir, a->ctx->target);
	for (i = j = 0; i < a->n_rows; i++) {
		struct foreign_row *r = &a->rows[i];

		if (strcmp(r->group, pick) == 0) {
			a->rows[j++] = *r;
			continue;
		}
		strata__free(r->version);
		strata__free(r->key);
		strata__free(r->checksum);
		strata__free(r->group);
	}
	a->n_rows = j;
	return 0;
}

/* ---- Alembic: alembic_version(version_num), one row per head ---- */

static int alembic_row(struct adopt *a, int n, const char *const *v)
{
	if (n < 1 || !v[0])
		return strata__adopt_bad(a, "a row whose version_num is NULL");
	return put(a, NULL, v[0], NULL, FS_FOLDER, NULL);
}

static int alembic_finish(struct adopt *a)
{
	size_t i;

	if (a->n_rows > 1) {
		for (i = 0; i < a->n_rows; i++)
			a->rows[i].state = FS_FAILED;
		for (i = 0; i < a->n_rows; i++)
			a->rows[i].why = "one of several Alembic heads: merge "
			                 "them (alembic merge heads, alembic "
			                 "upgrade head) first";
	}
	return 0;
}

static const char *const gm_cols[] = { "version", "dirty", NULL };
static const char *const dm_cols[] = { "version", NULL };
static const char *const goose_cols[] = { "id", "version_id", "is_applied",
	                                  NULL };
static const char *const flyway_cols[] = { "installed_rank",
	                                   "version",
	                                   "description",
	                                   "type",
	                                   "script",
	                                   "checksum",
	                                   "installed_by",
	                                   "installed_on",
	                                   "execution_time",
	                                   "success",
	                                   NULL };
static const char *const sqlm_cols[] = { "id", "applied_at", NULL };
static const char *const sqlx_cols[] = { "version", "description", "success",
	                                 "checksum", NULL };
static const char *const prisma_cols[] = { "id",
	                                   "checksum",
	                                   "finished_at",
	                                   "migration_name",
	                                   "rolled_back_at",
	                                   "started_at",
	                                   NULL };
static const char *const diesel_cols[] = { "version", "run_on", NULL };
static const char *const mig_sh_cols[] = { "database_type", "migration_file",
	                                   "applied_at", "checksum", NULL };
static const char *const alembic_cols[] = { "version_num", NULL };

const struct adopt_tool strata__adopt_tools[] = {
	{ .name = "golang-migrate",
	  .slug = "golang_migrate",
	  .table = "schema_migrations",
	  .columns = gm_cols,
	  .exact = 1,
	  .select = "version, dirty",
	  .row = gm_row,
	  .formats = " strata ",
	  .recover = "fix the database by hand until that migration is "
	             "wholly applied or wholly undone, record where it is "
	             "with 'migrate force V', then run 'strata adopt' "
	             "again" },
	{ .name = "dbmate",
	  .slug = "dbmate",
	  .table = "schema_migrations",
	  .columns = dm_cols,
	  .exact = 1,
	  .select = "version",
	  .order = "version",
	  .row = dm_row,
	  .formats = " dbmate " },
	{ .name = "goose",
	  .slug = "goose",
	  .table = "goose_db_version",
	  .columns = goose_cols,
	  .select = "version_id, is_applied",
	  .order = "id",
	  .row = goose_row,
	  .formats = " goose " },
	{ .name = "flyway",
	  .slug = "flyway",
	  .table = "flyway_schema_history",
	  .columns = flyway_cols,
	  .select = "installed_rank, version, type, script, checksum, success",
	  .order = "installed_rank",
	  .row = flyway_row,
	  .sum = SUM_FLYWAY_CRC32,
	  .formats = " flyway ",
	  .recover = "undo what the failed migration did, remove its row "
	             "with 'flyway repair', then run 'strata adopt' again" },
	{ .name = "sql-migrate",
	  .slug = "sql_migrate",
	  .table = "gorp_migrations",
	  .columns = sqlm_cols,
	  .select = "id",
	  .order = "id",
	  .lead = 1,
	  .row = sqlm_row,
	  .formats = " sql-migrate " },
	{ .name = "sqlx",
	  .slug = "sqlx",
	  .table = "_sqlx_migrations",
	  .columns = sqlx_cols,
	  .select = "version, description, success, checksum",
	  .hex_col = 4,
	  .order = "version",
	  .row = sqlx_row,
	  .sum = SUM_SHA384,
	  .formats = " sqlx strata ",
	  .recover = "undo what the failed migration did, delete its row "
	             "from _sqlx_migrations, then run 'strata adopt' "
	             "again" },
	{ .name = "prisma",
	  .slug = "prisma",
	  .table = "_prisma_migrations",
	  .columns = prisma_cols,
	  .select = "migration_name, checksum, finished_at, rolled_back_at",
	  .order = "started_at",
	  .lead = 1,
	  .row = prisma_row,
	  .sum = SUM_PRISMA,
	  .formats = " prisma ",
	  .recover = "undo what the failed migration did and mark it with "
	             "'prisma migrate resolve --rolled-back NAME' (or "
	             "--applied NAME when it took full effect), then run "
	             "'strata adopt' again" },
	{ .name = "diesel",
	  .slug = "diesel",
	  .table = "__diesel_schema_migrations",
	  .columns = diesel_cols,
	  .select = "version",
	  .order = "version",
	  .row = diesel_row,
	  .formats = " diesel " },
	{ .name = "migrate.sh",
	  .slug = "migrate_sh",
	  .table = "schema_migrations",
	  .columns = mig_sh_cols,
	  .select = "database_type, migration_file, checksum",
	  .order = "migration_file",
	  .lead = 1,
	  .row = mig_sh_row,
	  .finish = mig_sh_finish,
	  .sum = SUM_HEX_DIGEST,
	  .formats = " strata ",
	  .recover = "fix the database by hand, then delete the file's row "
	             "(DELETE FROM schema_migrations WHERE migration_file = "
	             "'...')" },
	{ .name = "alembic",
	  .slug = "alembic",
	  .table = "alembic_version",
	  .columns = alembic_cols,
	  .exact = 1,
	  .select = "version_num",
	  .order = "version_num",
	  .row = alembic_row,
	  .finish = alembic_finish,
	  .formats = "" },
	{ .name = NULL }
};

const struct adopt_tool *strata__adopt_tool_find(const char *name)
{
	const struct adopt_tool *t;

	for (t = strata__adopt_tools; t->name; t++)
		if (strcasecmp(t->name, name) == 0 ||
		    strcasecmp(t->slug, name) == 0)
			return t;
	return NULL;
}
