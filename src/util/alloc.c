/*
 * Replaceable allocator hooks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strata/strata.h"
#include "alloc.h"

static void *(*alloc_malloc)(size_t) = malloc;
static void *(*alloc_realloc)(void *, size_t) = realloc;
static void (*alloc_free)(void *) = free;

void strata_set_allocator(void *(*malloc_fn)(size_t),
                          void *(*realloc_fn)(void *, size_t),
                          void (*free_fn)(void *))
{
	alloc_malloc = malloc_fn ? malloc_fn : malloc;
	alloc_realloc = realloc_fn ? realloc_fn : realloc;
	alloc_free = free_fn ? free_fn : free;
}

void *strata__malloc(size_t n)
{
	return alloc_malloc(n ? n : 1);
}

void *strata__calloc(size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > SIZE_MAX / size)
		return NULL;
	p = strata__malloc(nmemb * size);
	if (p)
		memset(p, 0, nmemb * size);
	return p;
}

void *strata__realloc(void *p, size_t n)
{
	return alloc_realloc(p, n ? n : 1);
}

void *strata__reallocarray(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		return NULL;
	return strata__realloc(p, nmemb * size);
}

void strata__free(void *p)
{
	if (p)
		alloc_free(p);
}

char *strata__strndup(const char *s, size_t n)
{
	char *d = strata__malloc(n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *strata__strdup(const char *s)
{
	return strata__strndup(s, strlen(s));
}
