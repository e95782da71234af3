/*
 * The options of a new libmariadb handle, from the URL (mysql_int.h):
 * timeouts, TLS, LOAD DATA LOCAL, the character set, and TCP for a URL
 * with a port. For the first connection (mysql_connect.c) and a stop's
 * second one (mysql_wait.c).
 */
#include <stddef.h>

#include "strata/sys/driver.h"

#include "mysql_int.h"
#include "mysql_load.h"

static int set_opt(MYSQL *my, enum mysql_option opt, const void *arg)
{
	return strata__my.mysql_optionsv(my, opt, arg) == 0 ? 0 : -1;
}

/*
 * TLS. With MYSQL_OPT_SSL_ENFORCE, Connector/C uses TLS when the server
 * offers it, and falls back to plain text when it does not unless the
 * certificate is to be verified (which checks the host name too:
 * VERIFY_CA and VERIFY_IDENTITY are the same here). So PREFERRED is
 * ENFORCE alone, and REQUIRED is checked after connecting (check_tls).
 */
static int set_tls(struct strata_driver_conn *c, MYSQL *my,
                   const struct my_url *u)
{
	enum ssl_mode mode = u->ssl_mode;
	my_bool on = 1, off = 0;
	int rc = 0;

	if (mode == SSL_UNSET && (u->ssl_ca || u->ssl_cert || u->ssl_key ||
	                          u->ssl_capath || u->ssl_cipher))
		mode = SSL_PREFERRED;
	if (mode == SSL_DISABLED) {
		/* explicit: newer Connector/C versions try TLS by default */
		rc |= set_opt(my, MYSQL_OPT_SSL_ENFORCE, &off);
	} else if (mode != SSL_UNSET) {
		rc |= set_opt(my, MYSQL_OPT_SSL_ENFORCE, &on);
		rc |= set_opt(my, MYSQL_OPT_SSL_VERIFY_SERVER_CERT,
		              mode >= SSL_VERIFY_CA ? &on : &off);
		if (u->ssl_ca)
			rc |= set_opt(my, MYSQL_OPT_SSL_CA, u->ssl_ca);
		if (u->ssl_capath)
			rc |= set_opt(my, MYSQL_OPT_SSL_CAPATH, u->ssl_capath);
		if (u->ssl_cert)
			rc |= set_opt(my, MYSQL_OPT_SSL_CERT, u->ssl_cert);
		if (u->ssl_key)
			rc |= set_opt(my, MYSQL_OPT_SSL_KEY, u->ssl_key);
		if (u->ssl_cipher)
			rc |= set_opt(my, MYSQL_OPT_SSL_CIPHER, u->ssl_cipher);
	}
	if (rc)
		return strata_driver_set_error(
		        c, STRATA_EINVALID, NULL, 0, -1,
		        "this libmariadb refused a TLS option of the mysql "
		        "URL: %s",
		        strata__my.mysql_error(my));
	return 0;
}

int strata__my_set_options(struct strata_driver_conn *c, MYSQL *my,
                           const struct my_url *u, const char *application_name)
{
	unsigned int timeout = u->connect_timeout ? u->connect_timeout :
	                                            MY_CONNECT_TIMEOUT;
	unsigned int socket = MYSQL_PROTOCOL_SOCKET, tcp = MYSQL_PROTOCOL_TCP;
	unsigned int rd = u->read_timeout > 0 ? (unsigned int)u->read_timeout :
	                                        0;
	unsigned int wr = u->write_timeout >= 0 ?
	                          (unsigned int)u->write_timeout :
	                          MY_WRITE_TIMEOUT;
	unsigned int infile = u->local_infile ? 1 : 0;
	my_bool off = 0;
	int rc = 0;

	/* every wait goes through poll() (mysql_wait.c) */
	rc |= strata__my.mysql_optionsv(my, MYSQL_OPT_NONBLOCK, 0) != 0;
	rc |= set_opt(my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	if (rd)
		rc |= set_opt(my, MYSQL_OPT_READ_TIMEOUT, &rd);
	if (wr)
		rc |= set_opt(my, MYSQL_OPT_WRITE_TIMEOUT, &wr);
	/* LOAD DATA LOCAL INFILE lets the server read any file strata may
	 * read (a migration, or a server that asks for it unbidden): only
	 * with local_infile=1 */
	rc |= set_opt(my, MYSQL_OPT_LOCAL_INFILE, &infile);
	/* a reconnect would silently drop the lock and the session */
	rc |= set_opt(my, MYSQL_OPT_RECONNECT, &off);
	rc |= set_opt(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/* libmariadb takes "localhost" (or no host) for its default Unix
	 * socket and ignores the port: a port in the URL means that port,
	 * over TCP, as the mariadb client does with --port */
	if (u->socket)
		rc |= set_opt(my, MYSQL_OPT_PROTOCOL, &socket);
	else if (u->port)
		rc |= set_opt(my, MYSQL_OPT_PROTOCOL, &tcp);
	if (application_name)
		strata__my.mysql_optionsv(my, MYSQL_OPT_CONNECT_ATTR_ADD,
		                          "program_name", application_name);
	if (rc)
		return strata_driver_set_error(c, STRATA_ECONNECT, NULL,
		                               (int)strata__my.mysql_errno(my),
		                               -1,
		                               "cannot set up a MySQL "
		                               "connection: %s",
		                               strata__my.mysql_error(my));
	return set_tls(c, my, u);
}
