/*
 * Folder layouts: Prisma's and Diesel's folder per migration
 * (<version>_<name>/migration.sql, <version>_<name>/up.sql and down.sql,
 * Diesel's metadata.toml), one layout per migrations folder, and the file
 * a migration's missing down part would go in, for hints.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <strings.h>

#include "common.h"
#include "ctx.h"
#include "source.h"

static int problem(struct source *src, int severity, const char *dir,
                   const char *name, const char *file, const char *msg)
{
	strata_buf p = STRATA_BUF_INIT;
	int rc;

	rc = strata__buf_printf(&p, "%s%s%s%s%s", dir,
	                        dir[0] && dir[strlen(dir) - 1] != '/' ? "/" :
	                                                                "",
	                        name, file ? "/" : "", file ? file : "");
	if (rc == 0)
		rc = strata__problem_add(src, severity, p.ptr, 0, "%s", msg);
	strata_buf_release(&p);
	return rc < 0 ? STRATA_ENOMEM : 0;
}

/* What a migration folder holds. */
struct folder {
	int mig, up, down, meta;
	strata_buf other; /* "file\n" per other .sql file */
};

static int read_folder(const char *path, struct folder *f)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL) {
		const char *s = de->d_name;
		size_t k = strlen(s);

		if (s[0] == '.')
			continue;
		if (strcmp(s, "migration.sql") == 0)
			f->mig = 1;
		else if (strcmp(s, "up.sql") == 0)
			f->up = 1;
		else if (strcmp(s, "down.sql") == 0)
			f->down = 1;
		else if (strcmp(s, "metadata.toml") == 0)
			f->meta = 1;
		else if (k > 4 && strcasecmp(s + k - 4, ".sql") == 0 &&
		         (strata__buf_puts(&f->other, s) < 0 ||
		          strata__buf_putc(&f->other, '\n') < 0)) {
			closedir(d);
			return STRATA_ENOMEM;
		}
	}
	closedir(d);
	return 0;
}

/* The folder's migration: its up (and down) file in the listing. */
static int add_files(struct source *src, const char *dir, const char *name,
                     struct filename *fn, const char *vtext,
                     const struct folder *f, struct listing *l)
{
	strata_buf p = STRATA_BUF_INIT;
	const char *up = f->mig ? "migration.sql" : "up.sql";
	int rc;

	/* Diesel's dashes: the version's digits are not the name's */
	if (!memchr(name, '-', fn->name_off))
		vtext = NULL;
	fn->format = f->mig ? "prisma" : "diesel";
	rc = strata__buf_printf(&p, "%s/%s", name, up);
	if (rc == 0)
		rc = strata__listing_add(l, p.ptr, fn, vtext, f->up && f->meta);
	if (rc == 0 && f->down) {
		strata__buf_clear(&p);
		fn->role = ROLE_DOWN;
		rc = strata__buf_printf(&p, "%s/down.sql", name);
		if (rc == 0)
			rc = strata__listing_add(l, p.ptr, fn, vtext, 0);
	}
	strata_buf_release(&p);
	if (rc == 0 && f->mig && f->meta)
		rc = problem(src, 1, dir, name, "metadata.toml",
		             "not read: metadata.toml is Diesel's, and this "
		             "folder holds Prisma's migration.sql");
	return rc;
}

int strata__layout_folder(strata_ctx *ctx, struct source *src, const char *dir,
                          const char *name, struct listing *l)
{
	char vtext[64], why[300], msg[600];
	struct filename fn;
	struct folder f;
	char *path = strata__join_path(dir, name);
	int r, rc = 0;

	(void)ctx;
	if (!path)
		return STRATA_ENOMEM;
	memset(&f, 0, sizeof(f));
	f.other = (strata_buf)STRATA_BUF_INIT;
	r = strata__dirname_parse(&fn, vtext, sizeof(vtext), name, why,
	                          sizeof(why));
	rc = read_folder(path, &f);
	if (rc == -1) {
		/* a folder named like a migration must be readable */
		if (r == 0) {
			snprintf(msg, sizeof(msg),
			         "cannot read migration folder: %s",
			         strerror(errno));
			rc = problem(src, 2, dir, name, NULL, msg);
		} else {
			rc = 0;
		}
		goto done;
	}
	if (rc < 0)
		goto done;
	if (r == 1) {
		/* seeds/, or a target's folder: read only if it looks like
		 * one migration */
		if (f.mig || f.up)
			rc = problem(src, 1, dir, name,
			             f.mig ? "migration.sql" : "up.sql",
			             "not read as a migration: a Prisma or "
			             "Diesel migration's folder is named "
			             "<version>_<name>");
		goto done;
	}
	if (r < 0) {
		snprintf(msg, sizeof(msg), "%s migration folder name: %s",
		         f.mig || f.up || f.down ? "bad" : "not read as a",
		         why);
		rc = problem(src, f.mig || f.up || f.down ? 2 : 1, dir, name,
		             NULL, msg);
		goto done;
	}
	if (f.mig && f.up) {
		rc = problem(src, 2, dir, name, NULL,
		             "both migration.sql (Prisma's) and up.sql "
		             "(Diesel's): a migration folder holds one tool's "
		             "files");
		goto done;
	}
	if (!f.mig && !f.up) {
		if (f.down)
			rc = problem(
			        src, 2, dir, name, "down.sql",
			        "down migration without an up migration "
			        "(up.sql, or Prisma's migration.sql) in its "
			        "folder");
		else
			rc = problem(src, 1, dir, name, NULL,
			             "not read as a migration: a migration "
			             "folder holds migration.sql (Prisma) or "
			             "up.sql and down.sql (Diesel)");
		goto done;
	}
	rc = add_files(src, dir, name, &fn, vtext, &f, l);
	for (char *p = f.other.ptr, *nl; rc == 0 && (nl = strchr(p, '\n'));
	     p = nl + 1) {
		*nl = '\0';
		snprintf(msg, sizeof(msg),
		         "not read as a migration: a %s migration's folder "
		         "holds %s and down.sql",
		         f.mig ? "Prisma" : "Diesel",
		         f.mig ? "migration.sql" : "up.sql");
		rc = problem(src, 1, dir, name, p, msg);
	}
done:
	strata_buf_release(&f.other);
	strata__free(path);
	return rc;
}

static const char *layout_what(int layout)
{
	return layout == LAYOUT_PRISMA ? "a Prisma migration folder" :
	       layout == LAYOUT_DIESEL ? "a Diesel migration folder" :
	                                 "a migration file";
}

int strata__layout_check(struct source *src)
{
	const struct migration *first[3] = { NULL, NULL, NULL }, *seen[3];
	const struct migration *a, *b;
	char msg[600];
	size_t i;
	int n = 0;

	for (i = 0; i < src->n; i++) {
		int k = src->v[i].layout;

		if (k >= 0 && k < 3 && !first[k])
			first[k] = &src->v[i];
	}
	for (i = 0; i < 3; i++)
		if (first[i])
			seen[n++] = first[i];
	if (n < 2)
		return 0;
	a = seen[0];
	b = seen[1];
	snprintf(msg, sizeof(msg),
	         "mixed layouts in one folder: this is %s (%s), and %s is %s: "
	         "strata reads a folder in one layout, so that each "
	         "version means one thing; move one kind to a folder of its "
	         "own (a target in strata.conf)",
	         layout_what(b->layout), b->format, a->up_path,
	         layout_what(a->layout));
	return strata__problem_add(src, 2, b->up_path, 0, "%s", msg) < 0 ?
	               STRATA_ENOMEM :
	               0;
}

/* ---- Diesel's metadata.toml -------------------------------------------- */

static int meta_error(strata_ctx *ctx, const char *path, int line,
                      const char *msg)
{
	strata__error_set(ctx, STRATA_EPARSE, "%s", msg);
	strata__error_at(ctx, path, line, 0);
	return STRATA_EPARSE;
}

/* "true" or "false", then blanks and an optional comment */
static int toml_bool(const char *v, size_t n, int *out)
{
	size_t k;

	if (n >= 4 && memcmp(v, "true", 4) == 0) {
		*out = 1;
		k = 4;
	} else if (n >= 5 && memcmp(v, "false", 5) == 0) {
		*out = 0;
		k = 5;
	} else {
		return -1;
	}
	while (k < n && (v[k] == ' ' || v[k] == '\t'))
		k++;
	return k == n || v[k] == '#' ? 0 : -1;
}

/*
 * Diesel reads the file with serde into { run_in_transaction: bool }: the
 * one setting there is. strata reads that key and refuses anything else,
 * including a file that does not set it, so that both tools read the
 * file alike.
 */
int strata__layout_metadata(strata_ctx *ctx, struct migration *m)
{
	char buf[4096], *s;
	FILE *f;
	int line = 0, set = 0, value = 1;

	if (!m->meta_path)
		return 0;
	f = fopen(m->meta_path, "r");
	if (!f) {
		strata__error_set(ctx, STRATA_EIO, "cannot read: %s",
		                  strerror(errno));
		strata__error_at(ctx, m->meta_path, 0, 0);
		return STRATA_EIO;
	}
	while (fgets(buf, sizeof(buf), f)) {
		size_t n = strlen(buf), k;
		int b;

		line++;
		while (n && isspace((unsigned char)buf[n - 1]))
			buf[--n] = '\0';
		for (s = buf; *s == ' ' || *s == '\t'; s++)
			;
		n = strlen(s);
		if (!n || s[0] == '#')
			continue;
		k = strlen("run_in_transaction");
		if (s[0] == '"' &&
		    strncmp(s + 1, "run_in_transaction", k) == 0 &&
		    s[k + 1] == '"')
			s += k + 2; /* the key, quoted */
		else if (strncmp(s, "run_in_transaction", k) == 0)
			s += k;
		else
			s = NULL;
		if (!s) {
			fclose(f);
			return meta_error(
			        ctx, m->meta_path, line,
			        "strata reads one setting in Diesel's "
			        "metadata.toml: run_in_transaction = "
			        "true or false");
		}
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s != '=') {
			fclose(f);
			return meta_error(
			        ctx, m->meta_path, line,
			        "expected run_in_transaction = true or "
			        "false");
		}
		for (s++; *s == ' ' || *s == '\t'; s++)
			;
		if (toml_bool(s, strlen(s), &b) < 0) {
			fclose(f);
			return meta_error(
			        ctx, m->meta_path, line,
			        "run_in_transaction must be true or "
			        "false (a TOML boolean, without quotes)");
		}
		if (set) {
			fclose(f);
			return meta_error(ctx, m->meta_path, line,
			                  "run_in_transaction is set twice");
		}
		set = 1;
		value = b;
	}
	fclose(f);
	if (!set)
		return meta_error(
		        ctx, m->meta_path, 0,
		        "metadata.toml does not set "
		        "run_in_transaction: write "
		        "run_in_transaction = false (or true), so that "
		        "strata and Diesel read it alike");
	if (!value)
		m->up.no_transaction = m->down.no_transaction = 1;
	return 0;
}

/* ---- hints ------------------------------------------------------------- */

void strata__layout_down_hint(const struct migration *m, char *out, size_t n)
{
	const char *slash = strrchr(m->up_path, '/');
	int dirlen = slash ? (int)(slash - m->up_path) + 1 : 0;

	if (m->layout == LAYOUT_PRISMA || m->layout == LAYOUT_DIESEL)
		snprintf(out, n, "write its down part in %.*sdown.sql%s",
		         dirlen, m->up_path,
		         m->layout == LAYOUT_PRISMA ?
		                 ", as 'prisma migrate diff --script' writes "
		                 "Prisma's down migrations" :
		                 "");
	else if (strcmp(m->format, "flyway") == 0)
		snprintf(out, n, "write its down part (%.*sU%s__%s.sql)",
		         dirlen, m->up_path, m->version_text, m->name);
	else if (strcmp(m->format, "dbmate") == 0)
		snprintf(out, n, "add a '-- migrate:down' section to %s",
		         m->up_path);
	else if (strcmp(m->format, "goose") == 0)
		snprintf(out, n, "add a '-- +goose Down' section to %s",
		         m->up_path);
	else if (strcmp(m->format, "sql-migrate") == 0)
		snprintf(out, n, "add a '-- +migrate Down' section to %s",
		         m->up_path);
	else if (m->single_file)
		snprintf(out, n,
		         "rename it %.*s%s_%s.up.sql and write its down part "
		         "(%.*s%s_%s.down.sql)",
		         dirlen, m->up_path, m->version_text, m->name, dirlen,
		         m->up_path, m->version_text, m->name);
	else
		snprintf(out, n, "write its down part (%.*s%s_%s.down.sql)",
		         dirlen, m->up_path, m->version_text, m->name);
}
