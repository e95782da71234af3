/*
 * The PostgreSQL driver's connection, shared by its files: postgres.c
 * (connections, statements, locks) and postgres_admin.c (fresh, backup,
 * restore).
 */
#ifndef STRATA_DRIVERS_POSTGRES_H
#define STRATA_DRIVERS_POSTGRES_H

#include <libpq-fe.h>

#include "strata/sys/driver.h"

struct pg_conn {
	struct strata_driver_conn base; /* first: see driver.h */
	PGconn *pg;
	int max_ident; /* the server's max_identifier_length */
	char *schema;  /* --schema, until ensure_schema() has made it */
	char *key_in;  /* the lock key the engine gave ... */
	char *key;     /* ... and the one locked (schema-qualified) */
};

static inline struct pg_conn *pc(struct strata_driver_conn *c)
{
	return (struct pg_conn *)c;
}

int strata__pg_drop_all_sql(struct strata_driver_conn *c, const char *schema,
                            strata_buf *out);
int strata__pg_backup(struct strata_driver_conn *c, const char *url,
                      const char *path, int fd);
int strata__pg_restore(struct strata_driver_conn *c, const char *url,
                       const char *path);

#endif
