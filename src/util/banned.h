/*
 * Functions strata's code must not call, as in git's banned.h: each
 * writes into a buffer without knowing its size (sprintf, strcpy, ...),
 * cuts without saying so (strncpy, strncat) or keeps hidden state
 * (strtok). Use snprintf, the strata_buf builders (src/util/buf.h) or
 * strata__strdup/strata__strndup (src/util/alloc.h) instead.
 *
 * The Makefile gives this header to every .c file it compiles
 * (-include), so a new file cannot forget it. It includes the system
 * headers that declare these functions first: their include guards keep
 * a later #include of them from meeting the macros below.
 */
#ifndef STRATA_UTIL_BANNED_H
#define STRATA_UTIL_BANNED_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef strtok_r
#define strtok_r(x, y, z) BANNED(strtok_r)
#undef gets
#define gets(x) BANNED(gets)

#undef sprintf
#undef vsprintf
#define sprintf(...)  BANNED(sprintf)
#define vsprintf(...) BANNED(vsprintf)

#endif
