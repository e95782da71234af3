/*
 * Recording a refusal (restore_scan.h): the primitive both dialect readers
 * (restore_psql.c, restore_mysql.c) call, below them and the scanner's
 * front (restore_scan.c), so that they call only downward.
 */
#include <stdarg.h>
#include <stdio.h>

#include "restore_scan.h"

int strata__scan_refuse(struct restore_scan *s, const char *fmt, ...)
{
	va_list ap;

	s->bad_line = s->line;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	return -1;
}
