/*
 * The library's allocator: every allocation goes through these so that
 * tests can fail the k-th one (strata_set_allocator).
 */
#ifndef STRATA_UTIL_ALLOC_H
#define STRATA_UTIL_ALLOC_H

#include <stddef.h>

void *strata__malloc(size_t n);
void *strata__calloc(size_t nmemb, size_t size);
void *strata__realloc(void *p, size_t n);
void strata__free(void *p);
char *strata__strdup(const char *s);
char *strata__strndup(const char *s, size_t n);

/* realloc an array of nmemb * size bytes, checking the product */
void *strata__reallocarray(void *p, size_t nmemb, size_t size);

#endif
