/*
 * Reading a file to be restored the way the database's client tool will
 * (psql -f, mysql < file), to refuse before anything runs what the tool
 * would do itself instead of sending it to the server: psql's backslash
 * commands and variables, the mysql client's commands (system, source,
 * \!, ...). What the dumps strata's backups are made of may hold passes:
 * COPY ... FROM stdin data, psql's \restrict and \unrestrict lines (which
 * the feeder blanks: strata restricts psql itself), mysqldump's
 * DELIMITER lines and its sandbox line.
 *
 * The scanners follow the tools' own lexers (psqlscan.l, mysql.cc's
 * add_line) and refuse, or for psql note, where a tool's reading could
 * depend on state the file itself can change (standard_conforming_strings,
 * the client encoding): they guard a restore with clear messages, while
 * psql's restricted mode and the mysql client's --binary-mode are the
 * guards of last resort.
 */
#ifndef STRATA_DRIVERS_RESTORE_SCAN_H
#define STRATA_DRIVERS_RESTORE_SCAN_H

#include <stddef.h>
#include <stdint.h>

#define SCAN_PSQL  1
#define SCAN_MYSQL 2

#define SCAN_NO_HOLD UINT64_MAX

struct restore_scan {
	int dialect;
	int state;
	uint64_t off;       /* bytes read so far */
	unsigned long line; /* the line of the next byte, from 1 */
	unsigned long col;  /* bytes before it on its line */
	unsigned char prev; /* the byte before it */

	/*
	 * psql: the start of a \restrict line being read, not to be sent
	 * before it is judged; blank(payload, from, to) then marks bytes
	 * [from, to) to be sent as spaces.
	 */
	uint64_t hold;
	void (*blank)(void *payload, uint64_t from, uint64_t to);
	void *payload;

	/* a refusal: its line and why */
	unsigned long bad_line;
	char why[200];

	/*
	 * psql: the first place where psql could read the file otherwise
	 * if the file changed its settings before (standard_conforming_
	 * strings, the client encoding), or 0. Harmless while psql is
	 * restricted (\restrict): a file with one is not restored by a
	 * psql that cannot be.
	 */
	unsigned long ambiguous_line;
	char ambiguous_why[120];

	/* the lexer: where strings, comments and statements began */
	unsigned long open_line, stmt_line;
	int toks; /* tokens in the statement so far */

	/* psql */
	int paren, begin_depth, ident_count;
	char idents[4];
	int copy_first, saw_from, copy_in;
	int depth;       /* of nested comments */
	int bs, bs_high; /* a run of backslashes in a string */
	int line_meta;   /* the command began its line */
	char word[40];   /* a word's first bytes, lower case */
	size_t wlen, wtotal;
	int letters;  /* a number run holds letters */
	char tag[64]; /* a dollar quote's tag */
	size_t taglen, match;
	int tag_long;
	char meta[160]; /* a psql command's line */
	size_t metalen;
	char after_e; /* e, b, x, n or u: maybe a string prefix */

	/* mysql */
	char quote;     /* in a string: its quote */
	int ml, ss;     /* in a comment; in an executable one */
	char delim[16]; /* the statement delimiter */
	size_t dlen;
	int stmt_chars; /* the statement has begun */
	int line_clean; /* only blanks so far on this line */
	int word_line;  /* the word began its line */
	char carry[96]; /* bytes kept for a look ahead */
	size_t carry_len;
};

/* The front (restore_scan.c). Start reading; dialect SCAN_PSQL or
 * SCAN_MYSQL. */
void strata__scan_init(struct restore_scan *s, int dialect);

/* Read n more bytes: 0, or -1 when refused (bad_line, why). */
int strata__scan_feed(struct restore_scan *s, const char *p, size_t n);

/* The end of the file: 0, or -1 when it must not end there. */
int strata__scan_end(struct restore_scan *s);

/* The dialects (restore_psql.c, restore_mysql.c): psql's reader of one
 * byte, the mysql client's of several. */
int strata__scan_psql(struct restore_scan *s, unsigned char c);
int strata__scan_psql_end(struct restore_scan *s);
/* In COPY data or a comment: the bytes up to a newline change nothing. */
int strata__scan_psql_inert(const struct restore_scan *s);
int strata__scan_mysql_feed(struct restore_scan *s, const char *p, size_t n);
int strata__scan_mysql_end(struct restore_scan *s);

/* Record a refusal at the current line; returns -1 (restore_refuse.c). */
int strata__scan_refuse(struct restore_scan *s, const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 2, 3)))
#endif
        ;

#endif
