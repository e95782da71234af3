/*
 * pgfloor: the least a program can do per PostgreSQL database: load libpq
 * (linked, so the dynamic loader maps it at start, as strata's dlopen does),
 * connect, run one query, disconnect. bench/fleet.sh times it as the floor
 * of a no-op `strata up` on one database of a fleet.
 *
 *   pgfloor CONNINFO [SQL]      (default SQL: read a history of 50 rows)
 *
 * Exit status 0, or 1 when the connection or the query failed.
 */
#include <stdio.h>

#include <libpq-fe.h>

int main(int argc, char **argv)
{
	const char *sql = argc > 2 ? argv[2] : "SELECT 1";
	PGconn *c;
	PGresult *r;
	int ok;

	if (argc < 2) {
		fprintf(stderr, "usage: pgfloor CONNINFO [SQL]\n");
		return 2;
	}
	c = PQconnectdb(argv[1]);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "pgfloor: %s", PQerrorMessage(c));
		PQfinish(c);
		return 1;
	}
	r = PQexec(c, sql);
	ok = PQresultStatus(r) == PGRES_TUPLES_OK ||
	     PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "pgfloor: %s", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return ok ? 0 : 1;
}
