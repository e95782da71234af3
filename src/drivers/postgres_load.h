/*
 * libpq, loaded when the PostgreSQL driver first connects (see
 * src/util/dl.h): the driver calls strata__pq.PQexec(...) and so on.
 */
#ifndef STRATA_DRIVERS_POSTGRES_LOAD_H
#define STRATA_DRIVERS_POSTGRES_LOAD_H

#include <libpq-fe.h>

#include "../util/dl.h"

/* Every libpq function the driver calls. */
#define STRATA_PQ_FUNCS(X) \
 X(PQbackendPID)           \
 X(PQclear)                \
 X(PQcmdStatus)            \
 X(PQcmdTuples)            \
 X(PQconnectPoll)          \
 X(PQconnectStartParams)   \
 X(PQconnectdbParams)      \
 X(PQconninfoFree)         \
 X(PQconninfoParse)        \
 X(PQconsumeInput)         \
 X(PQdb)                   \
 X(PQerrorMessage)         \
 X(PQescapeIdentifier)     \
 X(PQescapeLiteral)        \
 X(PQexec)                 \
 X(PQexecParams)           \
 X(PQfinish)               \
 X(PQflush)                \
 X(PQfname)                \
 X(PQfreemem)              \
 X(PQgetCopyData)          \
 X(PQgetResult)            \
 X(PQgetisnull)            \
 X(PQgetvalue)             \
 X(PQhost)                 \
 X(PQhostaddr)             \
 X(PQisBusy)               \
 X(PQnfields)              \
 X(PQntuples)              \
 X(PQpass)                 \
 X(PQport)                 \
 X(PQputCopyEnd)           \
 X(PQresultErrorField)     \
 X(PQresultErrorMessage)   \
 X(PQresultStatus)         \
 X(PQsendQuery)            \
 X(PQsendQueryParams)      \
 X(PQserverVersion)        \
 X(PQsetNoticeReceiver)    \
 X(PQsetnonblocking)       \
 X(PQsocket)               \
 X(PQstatus)               \
 X(PQtransactionStatus)    \
 X(PQuser)

struct strata_pq {
	STRATA_PQ_FUNCS(STRATA_DL_MEMBER)
};

/* Filled by strata__pq_load(); use only after it returned 0. */
extern struct strata_pq strata__pq;

/* Load libpq once. @return 0, or STRATA_ENOTSUPP and *why */
int strata__pq_load(const char **why);

#endif
