/*
 * What a line of a migration file is, as far as markers go: a section
 * marker or directive of a format strata reads (dbmate, goose,
 * sql-migrate, sqlx, strata's own), plain SQL or comment, or a line that
 * looks like a marker and is none (an error at its line). markers.c reads
 * each format's markers as that tool's own parser reads them.
 */
#ifndef STRATA_LIB_MARKERS_H
#define STRATA_LIB_MARKERS_H

#include "common.h"

struct line {
	size_t off, len; /* without the newline (and a CR before it) */
	size_t next;     /* offset of the next line */
};

/* The line starting at pos; 0 at the end of the text. */
int strata__next_line(const char *t, size_t n, size_t pos, struct line *l);
/* If the line is a "--" comment, point *body past "--" and blanks. */
int strata__comment_body(const char *t, const struct line *l, const char **body,
                         size_t *blen);
/* Only spaces and tabs (or nothing)? */
int strata__blank_line(const char *t, const struct line *l);

enum mark {
	MK_NONE,        /* SQL, a plain comment or a blank line */
	MK_STRATA,      /* -- strata:... (sections.c reads the directive) */
	MK_DBMATE_UP,   /* -- migrate:up [transaction:false] */
	MK_DBMATE_DOWN, /* -- migrate:down [transaction:false] */
	MK_GOOSE_UP,
	MK_GOOSE_DOWN,
	MK_GOOSE_NO_TXN,     /* -- +goose NO TRANSACTION */
	MK_GOOSE_BEGIN,      /* -- +goose StatementBegin */
	MK_GOOSE_END,        /* -- +goose StatementEnd */
	MK_GOOSE_ENVSUB_ON,  /* -- +goose ENVSUB ON */
	MK_GOOSE_ENVSUB_OFF, /* -- +goose ENVSUB OFF */
	MK_SQLM_UP,          /* -- +migrate Up [notransaction] */
	MK_SQLM_DOWN,        /* -- +migrate Down [notransaction] */
	MK_SQLM_BEGIN,       /* -- +migrate StatementBegin */
	MK_SQLM_END,         /* -- +migrate StatementEnd */
	MK_SQLX_NO_TXN,      /* "-- no-transaction" starting the file (sqlx) */
	MK_BAD               /* looks like a marker and is none: see why */
};

struct marker {
	enum mark kind;
	int no_txn; /* dbmate transaction:false, sql-migrate notransaction */
	const char *at; /* the line from its "--", for messages */
	int at_len;     /* at most 60 bytes of it */
	char why[300];
};

/* Classify the line l of the text t (which starts at offset 0). */
enum mark strata__marker_classify(const char *t, const struct line *l,
                                  struct marker *mk);

/* The format a section marker belongs to: 'd' (dbmate), 'g' (goose),
 * 'm' (sql-migrate), or 0 for other kinds. */
int strata__marker_format(enum mark k);

/* The tool a format letter stands for: "dbmate", "goose", "sql-migrate". */
const char *strata__marker_tool(int fmt);

/* The up marker of a format letter, for messages: "-- +goose Up" ... */
const char *strata__marker_up(int fmt);

#endif
