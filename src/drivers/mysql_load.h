/*
 * libmariadb, loaded when the MySQL driver first connects (see
 * src/util/dl.h): the driver calls strata__my.mysql_init(...) and so on.
 */
#ifndef STRATA_DRIVERS_MYSQL_LOAD_H
#define STRATA_DRIVERS_MYSQL_LOAD_H

#include <mysql.h>

#include "../util/dl.h"

/* Every libmariadb function the driver calls. */
#define STRATA_MY_FUNCS(X)     \
 X(mysql_affected_rows)        \
 X(mysql_close)                \
 X(mysql_errno)                \
 X(mysql_error)                \
 X(mysql_fetch_row)            \
 X(mysql_field_count)          \
 X(mysql_free_result)          \
 X(mysql_get_host_info)        \
 X(mysql_get_socket)           \
 X(mysql_get_ssl_cipher)       \
 X(mysql_get_timeout_value_ms) \
 X(mysql_init)                 \
 X(mysql_next_result)          \
 X(mysql_next_result_cont)     \
 X(mysql_next_result_start)    \
 X(mysql_num_fields)           \
 X(mysql_optionsv)             \
 X(mysql_real_connect)         \
 X(mysql_real_connect_cont)    \
 X(mysql_real_connect_start)   \
 X(mysql_real_escape_string)   \
 X(mysql_real_query)           \
 X(mysql_real_query_cont)      \
 X(mysql_real_query_start)     \
 X(mysql_reset_connection)     \
 X(mysql_select_db)            \
 X(mysql_sqlstate)             \
 X(mysql_store_result)         \
 X(mysql_store_result_cont)    \
 X(mysql_store_result_start)   \
 X(mysql_thread_id)            \
 X(mysql_warning_count)

struct strata_my {
	STRATA_MY_FUNCS(STRATA_DL_MEMBER)
};

/* Filled by strata__my_load(); use only after it returned 0. */
extern struct strata_my strata__my;

/* Load libmariadb once. @return 0, or STRATA_ENOTSUPP and *why */
int strata__my_load(const char **why);

#endif
