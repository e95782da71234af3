/*
 * The MySQL driver's URL, shared by its files: mysql.c (connections,
 * statements, locks) and mysql_admin.c (fresh, backup, restore).
 */
#ifndef STRATA_DRIVERS_MYSQL_INT_H
#define STRATA_DRIVERS_MYSQL_INT_H

#include "strata/sys/driver.h"

/* Identifiers and lock names: at most 64 characters in MySQL. */
#define MY_NAME_MAX 64
/* Seconds; a URL can change it with connect_timeout=N. */
#define MY_CONNECT_TIMEOUT 10

enum ssl_mode {
	SSL_UNSET,
	SSL_DISABLED,
	SSL_PREFERRED,
	SSL_REQUIRED,
	SSL_VERIFY_CA,
	SSL_VERIFY_IDENTITY
};

/* A parsed mysql:// URL; every string is decoded and malloc'd. */
struct my_url {
	char *user, *password, *host, *db, *socket;
	char *ssl_ca, *ssl_cert, *ssl_key, *ssl_capath, *ssl_cipher;
	unsigned int port; /* 0: the default (3306) */
	unsigned int connect_timeout;
	int ipv6; /* host was in brackets */
	enum ssl_mode ssl_mode;
};

struct my_conn {
	struct strata_driver_conn base; /* first: see driver.h */
	struct st_mysql *my;
	char *db;        /* the database, for lock names and messages */
	char *where;     /* user@host:port/db, never with the password */
	int64_t changes; /* rows of the last statement run, or -1 */
};

static inline struct my_conn *my_conn(struct strata_driver_conn *c)
{
	return (struct my_conn *)c;
}

int strata__my_oom(struct strata_driver_conn *c);
/* characters, as MySQL counts a name's length */
size_t strata__my_utf8_chars(const char *s);
int strata__my_lock(struct strata_driver_conn *c, const char *key,
                    int timeout_ms);
int strata__my_unlock(struct strata_driver_conn *c, const char *key);

int strata__my_url_parse(struct strata_driver_conn *c, const char *url,
                         struct my_url *u);
void strata__my_url_free(struct my_url *u);

int strata__my_drop_all_sql(struct strata_driver_conn *c, const char *schema,
                            strata_buf *out);
int strata__my_backup(struct strata_driver_conn *c, const char *url,
                      const char *path, int fd);
int strata__my_restore(struct strata_driver_conn *c, const char *url,
                       const char *path);
int strata__my_restore_check(const char *path, int fd, const char *table,
                             strata_buf *what, unsigned long *line);

#endif
