/*
 * Internals shared by the literal extraction (prefilter_lits.c) and the
 * scanner (prefilter.c): the layout of a literal conjunction.
 */
#ifndef WATCHFOR_PREFILTER_INT_H
#define WATCHFOR_PREFILTER_INT_H

#include <stddef.h>
#include <stdint.h>

#define LIT_MAX		16	/* bytes kept of one literal */

struct lit {
	uint8_t		len;
	uint8_t		s[LIT_MAX];	/* ASCII-lowercased */
};

struct litset {
	size_t		 n;
	struct lit	*v;
};

struct prefilter_lits {
	size_t		 n;
	struct litset	*sets;
};

/* The length of the shortest literal of `set` (LIT_MAX when empty). */
size_t	set_minlen(const struct litset *set);

#endif
