/*
 * libpg_query, loaded when the PostgreSQL splitter first runs its scanner
 * (see src/util/dl.h): strata__pgq.pg_query_split_with_scanner(...).
 */
#ifndef STRATA_DRIVERS_PGQUERY_LOAD_H
#define STRATA_DRIVERS_PGQUERY_LOAD_H

#include <pg_query.h>

#include "../util/dl.h"

/* Every libpg_query function strata calls: the splitter, and lint (the
 * parse tree as JSON). */
#define STRATA_PGQ_FUNCS(X)    \
 X(pg_query_free_split_result) \
 X(pg_query_parse)             \
 X(pg_query_free_parse_result) \
 X(pg_query_split_with_scanner)

struct strata_pgq {
	STRATA_PGQ_FUNCS(STRATA_DL_MEMBER)
};

/* Filled by strata__pgq_load(); use only after it returned 0. */
extern struct strata_pgq strata__pgq;

/* Load libpg_query once. @return 0, or STRATA_ENOTSUPP and *why */
int strata__pgq_load(const char **why);

#endif
