/*
 * strata_init: the process-wide SQLite settings a program may choose
 * (include/strata/strata.h). The command-line tool calls it; the library
 * never does on its own, so that an embedding application keeps its
 * SQLite configuration.
 */
#include <sqlite3.h>

#include "common.h"

int strata_init(unsigned flags)
{
	if (!(flags & STRATA_INIT_SINGLE_THREAD))
		return 0;
	/* both or neither: SQLite refuses them once it is initialised */
	if (sqlite3_config(SQLITE_CONFIG_SINGLETHREAD) != SQLITE_OK)
		return STRATA_EINVALID;
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	return 0;
}
