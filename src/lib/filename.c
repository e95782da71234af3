/*
 * Migration file names: strata's, golang-migrate's and sqlx's pairs
 * (<version>_<name>.up.sql / .down.sql), single files (dbmate, goose,
 * sql-migrate, sqlx; sql-migrate's own <version>-<name>.sql too),
 * Flyway's V/U/R files and <name>.repeatable.sql, and the folders of
 * Prisma and Diesel migrations (<version>_<name>/, Diesel's version with
 * dashes). Flyway's callbacks and script configuration files are refused.
 * Suffixes (.up.sql, .down.sql, .sql, .repeatable.sql) are matched in any case,
 * as Flyway matches them; Flyway's prefixes V, U and R only in upper case.
 */
#include <ctype.h>
#include <strings.h>

#include "common.h"
#include "source.h"

/* Suffixes in any case: .SQL, .UP.sql and .Down.Sql are what they say. */
static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

static int name_ok(const char *s, size_t n, char *why, size_t why_len)
{
	size_t i;

	if (n == 0) {
		snprintf(why, why_len, "the name after the version is empty");
		return 0;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isalnum(c) || c == '_' || c == '-' || c == '.')
			continue;
		if (c < 0x20 || c == 0x7f)
			snprintf(why, why_len,
			         "the name contains a control character "
			         "(byte 0x%02x)",
			         c);
		else
			snprintf(why, why_len,
			         "the name contains '%c'; use letters, digits, "
			         "'_', '-' and '.'",
			         c);
		return 0;
	}
	return 1;
}

static int version_error(int rc, const char *v, size_t n, char *why,
                         size_t why_len)
{
	if (rc == STRATA_EINVALID)
		snprintf(why, why_len,
		         "version %.*s%s is too long (at most %d characters "
		         "without leading zeros)",
		         (int)(n > 40 ? 40 : n), v, n > 40 ? "..." : "",
		         STRATA_VERSION_MAX);
	else
		snprintf(why, why_len,
		         "the version must be digits, in parts separated by "
		         "'.' or '_'");
	return STRATA_EPARSE;
}

/* V<version>__<name>.sql, U<version>__<name>.sql, R__<name>.sql; the
 * version may be dotted (1.2.3), with '_' for '.' (3_1) */
static int parse_flyway(struct filename *out, const char *f, size_t n,
                        char *why, size_t why_len)
{
	const char *sep;
	size_t vlen, base = n - 4; /* without ".sql" */
	int rc;

	out->format = "flyway";
	if (f[0] == 'R') {
		out->role = ROLE_REPEATABLE;
		out->name_off = 3;
		out->name_len = base - 3;
		return name_ok(f + 3, base - 3, why, why_len) ? 0 :
		                                                STRATA_EPARSE;
	}
	out->role = f[0] == 'V' ? ROLE_UP : ROLE_DOWN;
	sep = strstr(f, "__");
	if (!sep || (size_t)(sep - f) > base) {
		snprintf(why, why_len, "expected %c<version>__<name>.sql",
		         f[0]);
		return STRATA_EPARSE;
	}
	vlen = (size_t)(sep - f) - 1;
	rc = strata__version_parse(out->version, f + 1, vlen);
	if (rc < 0)
		return version_error(rc, f + 1, vlen, why, why_len);
	out->version_off = 1;
	out->version_len = vlen;
	out->name_off = vlen + 3;
	out->name_len = base - out->name_off;
	return name_ok(f + out->name_off, out->name_len, why, why_len) ?
	               0 :
	               STRATA_EPARSE;
}

static int is_flyway(const char *f, size_t n)
{
	if (n < 4 || !ends_with(f, n, ".sql"))
		return 0;
	if (f[0] == 'R' && f[1] == '_' && f[2] == '_')
		return 1;
	return (f[0] == 'V' || f[0] == 'U') && isdigit((unsigned char)f[1]);
}

/*
 * A name that is not read but looks like a migration's: say why in why
 * (a warning). The name does not start with a digit.
 */
static int lookalike(const char *f, size_t n, int exec, char *why,
                     size_t why_len)
{
	const char *base_end = exec ? strrchr(f, '.') : NULL;
	size_t base = exec ? (base_end ? (size_t)(base_end - f) : n) : n;
	size_t k = 1;

	if (!exec && !ends_with(f, n, ".sql"))
		return 1;
	if ((f[0] == '-' || f[0] == '+') && isdigit((unsigned char)f[1])) {
		snprintf(why, why_len,
		         "a version is digits only, without a sign");
		return 1;
	}
	if (exec ? ends_with(f, base, ".up") || ends_with(f, base, ".down") :
	           ends_with(f, n, ".up.sql") || ends_with(f, n, ".down.sql")) {
		snprintf(why, why_len,
		         "the name must start with its version in digits "
		         "(<version>_<name>.up%s)",
		         exec ? ".<ext>" : ".sql");
		return 1;
	}
	if (exec || !isalpha((unsigned char)f[0]))
		return 1;
	while (k < n &&
	       (isdigit((unsigned char)f[k]) || f[k] == '.' || f[k] == '_') &&
	       !(f[k] == '_' && f[k + 1] == '_'))
		k++;
	if (k + 1 >= n || f[k] != '_' || f[k + 1] != '_')
		return 1; /* not <letter>[<version>]__<name>.sql */
	if (f[0] == 'v' || f[0] == 'u' || f[0] == 'r')
		snprintf(why, why_len,
		         "Flyway prefixes are upper-case: name it %c%.*s",
		         toupper((unsigned char)f[0]),
		         (int)(n - 1 > 120 ? 120 : n - 1), f + 1);
	else if ((f[0] == 'V' || f[0] == 'U') && k == 1)
		snprintf(why, why_len,
		         "a Flyway %s migration needs a version: "
		         "%c<version>__<name>.sql",
		         f[0] == 'V' ? "versioned" : "undo", f[0]);
	else if (f[0] == 'R')
		snprintf(why, why_len,
		         "a repeatable Flyway migration has no version: "
		         "R__<name>.sql");
	else if (f[0] == 'B')
		snprintf(why, why_len,
		         "Flyway baseline migrations (B<version>__) are not "
		         "read; 'strata baseline V' records a baseline");
	else
		snprintf(why, why_len,
		         "Flyway's prefixes are V (versioned), U (undo) and R "
		         "(repeatable)");
	return 1;
}

/* Flyway's callback events (api/callback/Event.java): SQL callbacks are
 * named <event>.sql or <event>__<description>.sql. */
static const char *const flyway_events[] = {
	"beforeClean",
	"afterClean",
	"afterCleanError",
	"beforeMigrate",
	"beforeEachMigrate",
	"beforeEachMigrateStatement",
	"afterEachMigrateStatement",
	"afterEachMigrateStatementError",
	"afterEachMigrate",
	"afterEachMigrateError",
	"beforeRepeatables",
	"afterVersioned",
	"afterMigrateApplied",
	"afterMigrate",
	"afterMigrateError",
	"beforeUndo",
	"beforeEachUndo",
	"beforeEachUndoStatement",
	"afterEachUndoStatement",
	"afterEachUndoStatementError",
	"afterEachUndo",
	"afterEachUndoError",
	"afterUndo",
	"afterUndoError",
	"beforeValidate",
	"afterValidate",
	"afterValidateError",
	"beforeBaseline",
	"afterBaseline",
	"afterBaselineError",
	"beforeRepair",
	"afterRepair",
	"afterRepairError",
	"beforeInfo",
	"afterInfo",
	"afterInfoError",
	"afterMigrateOperationFinish",
	"afterInfoOperationFinish",
	"createSchema",
	"beforeConnect",
};

/* A Flyway SQL callback (beforeMigrate.sql, afterEachMigrate__x.sql)? */
static int flyway_callback(const char *f, size_t n)
{
	size_t i, k;

	/* every event's name starts in lower case, no migration's does:
	 * most files are rejected here, before the 40 names are tried */
	if (!islower((unsigned char)f[0]) || !ends_with(f, n, ".sql"))
		return 0;
	for (i = 0; i < ARRAY_SIZE(flyway_events); i++) {
		k = strlen(flyway_events[i]);
		if (strncmp(f, flyway_events[i], k) == 0 &&
		    (k == n - 4 || (f[k] == '_' && f[k + 1] == '_')))
			return 1;
	}
	return 0;
}

/*
 * Files of Flyway's that change what a migration does, and that strata
 * does not run: refused by name (never skipped: a migration run without
 * its callback or its script configuration is not what Flyway ran).
 */
static int flyway_refused(const char *f, size_t n, char *why, size_t why_len)
{
	if (flyway_callback(f, n)) {
		snprintf(why, why_len,
		         "Flyway callback %.*s: strata does not run Flyway "
		         "callbacks; move the file out of the migrations "
		         "folder and run its SQL another way, or make it a "
		         "repeatable migration (R__<name>.sql, run again "
		         "whenever it changes) if that is what it does",
		         (int)(n > 120 ? 120 : n), f);
		return 1;
	}
	if (ends_with(f, n, ".sql.conf") && is_flyway(f, n - 5)) {
		snprintf(why, why_len,
		         "Flyway script configuration %.*s is not read by "
		         "strata: for executeInTransaction=false put "
		         "'-- strata:no-transaction' on the migration's first "
		         "line, then remove this file",
		         (int)(n > 120 ? 120 : n), f);
		return 1;
	}
	return 0;
}

/* <digits>-<name>.sql, as sql-migrate's `new` names files. */
static int sqlm_name(const char *f, size_t n, size_t vlen)
{
	return f[vlen] == '-' && ends_with(f, n, ".sql") &&
	       !ends_with(f, n, ".up.sql") && !ends_with(f, n, ".down.sql");
}

int strata__filename_parse(struct filename *out, const char *f, char *why,
                           size_t why_len)
{
	size_t n = strlen(f), vlen, base;
	int rc;

	memset(out, 0, sizeof(*out));
	why[0] = '\0';
	if (n == 0 || f[0] == '.')
		return 1;
	if (flyway_refused(f, n, why, why_len))
		return 2;
	if (is_flyway(f, n))
		return parse_flyway(out, f, n, why, why_len);
	if (ends_with(f, n, ".repeatable.sql")) {
		out->role = ROLE_REPEATABLE;
		out->format = "strata";
		out->name_len = n - strlen(".repeatable.sql");
		return name_ok(f, out->name_len, why, why_len) ? 0 :
		                                                 STRATA_EPARSE;
	}
	if (!isdigit((unsigned char)f[0]))
		/* README.md, notes.txt, DROP_ALL.sql ...; v2__x.sql warned */
		return lookalike(f, n, 0, why, why_len);
	if (!ends_with(f, n, ".sql")) {
		snprintf(why, why_len,
		         "a file starting with a version must end in .sql "
		         "(<version>_<name>.up.sql)");
		return STRATA_EPARSE;
	}
	out->format = "strata";
	for (vlen = 0; vlen < n && isdigit((unsigned char)f[vlen]); vlen++)
		;
	if (f[vlen] == '.' && isdigit((unsigned char)f[vlen + 1])) {
		snprintf(why, why_len,
		         "a dotted version is read in Flyway's names only "
		         "(V1.2__<name>.sql): here the version is digits, "
		         "followed by '_'");
		return STRATA_EPARSE;
	}
	if (sqlm_name(f, n, vlen))
		out->sqlm_name = 1; /* read if it is an sql-migrate file */
	else if (f[vlen] != '_') {
		snprintf(why, why_len,
		         "expected <version>_<name>.up.sql: the version must "
		         "be followed by '_'");
		return STRATA_EPARSE;
	}
	rc = strata__version_parse(out->version, f, vlen);
	if (rc < 0)
		return version_error(rc, f, vlen, why, why_len);
	out->version_len = vlen;
	if (ends_with(f, n, ".up.sql")) {
		out->role = ROLE_UP;
		base = n - strlen(".up.sql");
	} else if (ends_with(f, n, ".down.sql")) {
		out->role = ROLE_DOWN;
		base = n - strlen(".down.sql");
	} else {
		out->role = ROLE_SINGLE;
		base = n - strlen(".sql");
	}
	if (base <= vlen + 1) {
		snprintf(why, why_len, "the name after the version is empty");
		return STRATA_EPARSE;
	}
	out->name_off = vlen + 1;
	out->name_len = base - out->name_off;
	return name_ok(f + out->name_off, out->name_len, why, why_len) ?
	               0 :
	               STRATA_EPARSE;
}

int strata__dirname_parse(struct filename *out, char *vtext, size_t vtext_size,
                          const char *f, char *why, size_t why_len)
{
	size_t n = strlen(f), i, k = 0;
	const char *us = strchr(f, '_');
	int rc;

	memset(out, 0, sizeof(*out));
	why[0] = '\0';
	vtext[0] = '\0';
	if (n == 0 || !isdigit((unsigned char)f[0]))
		return 1;
	if (!us) {
		snprintf(why, why_len, "expected <version>_<name>");
		return STRATA_EPARSE;
	}
	/* Diesel's version: the name before the first '_', '-' removed
	 * (migrations_internals::version_from_string) */
	for (i = 0; f + i < us; i++) {
		if (f[i] == '-')
			continue;
		if (!isdigit((unsigned char)f[i])) {
			snprintf(why, why_len,
			         "the version must be digits (Diesel's dashes "
			         "allowed: 2017-12-05-004412_<name>)");
			return STRATA_EPARSE;
		}
		if (k + 1 >= vtext_size) {
			snprintf(why, why_len, "the version is too long");
			return STRATA_EPARSE;
		}
		vtext[k++] = f[i];
	}
	vtext[k] = '\0';
	rc = strata__version_parse(out->version, vtext, k);
	if (rc < 0)
		return version_error(rc, vtext, k, why, why_len);
	out->role = ROLE_UP;
	out->version_len = k;
	out->name_off = (size_t)(us - f) + 1;
	out->name_len = n - out->name_off;
	return name_ok(f + out->name_off, out->name_len, why, why_len) ?
	               0 :
	               STRATA_EPARSE;
}

/*
 * Exec targets: <version>_<name>.up.<ext>, .down.<ext> or .<ext>, any
 * extension (.cql, .py, .sh ...); files not starting with a digit are
 * ignored.
 */
int strata__filename_parse_exec(struct filename *out, const char *f, char *why,
                                size_t why_len)
{
	size_t n = strlen(f), vlen, base;
	const char *dot = strrchr(f, '.');
	int rc;

	memset(out, 0, sizeof(*out));
	why[0] = '\0';
	if (n == 0 || f[0] == '.')
		return 1;
	if (!isdigit((unsigned char)f[0]))
		return lookalike(f, n, 1, why, why_len);
	out->format = "exec";
	for (vlen = 0; vlen < n && isdigit((unsigned char)f[vlen]); vlen++)
		;
	if (f[vlen] != '_' || !dot || !dot[1] || (size_t)(dot - f) <= vlen) {
		snprintf(why, why_len,
		         "expected <version>_<name>.<ext> (or .up.<ext> and "
		         ".down.<ext>)");
		return STRATA_EPARSE;
	}
	rc = strata__version_parse(out->version, f, vlen);
	if (rc < 0)
		return version_error(rc, f, vlen, why, why_len);
	out->version_len = vlen;
	base = (size_t)(dot - f);
	if (base >= 3 && strncasecmp(f + base - 3, ".up", 3) == 0) {
		out->role = ROLE_UP;
		base -= 3;
	} else if (base >= 5 && strncasecmp(f + base - 5, ".down", 5) == 0) {
		out->role = ROLE_DOWN;
		base -= 5;
	} else {
		out->role = ROLE_SINGLE;
	}
	if (base <= vlen + 1) {
		snprintf(why, why_len, "the name after the version is empty");
		return STRATA_EPARSE;
	}
	out->name_off = vlen + 1;
	out->name_len = base - out->name_off;
	return name_ok(f + out->name_off, out->name_len, why, why_len) ?
	               0 :
	               STRATA_EPARSE;
}
