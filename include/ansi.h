#ifndef WATCHFOR_ANSI_H
#define WATCHFOR_ANSI_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/*
 * The echo action's modes (spec section 10.1): swatchdog prints
 * Term::ANSIColor 5.01's colored("MESSAGE\n", @modes), so the bytes are
 * ESC[<codes joined by ;>m MESSAGE \n ESC[0m, with the reset after the
 * newline.
 */

struct ansi_modes;

/*
 * Compiles the echo modes: `modes` are the bare pieces of the action as
 * the config parser gives them (leading blanks stripped); each may hold
 * several names separated by blanks; names are case-insensitive. When the
 * first piece is "normal" (any case) the echo is plain and the other pieces
 * are not looked at. Returns NULL with *err (heap) set to swatchdog's
 * "Invalid attribute name X" (X lowercased) for an unknown name; the
 * caller owns the result.
 */
struct ansi_modes *ansi_compile(char *const *modes, size_t n, char **err);
void		 ansi_free(struct ansi_modes *);

/*
 * Appends the echo of `msg` (`len` bytes, NUL bytes allowed) to `out`:
 * MESSAGE\n for normal, else ESC[codes m MESSAGE \n ESC[0m (no modes: no
 * ESC[...m but still the reset). With `disabled` (see ansi_env_disabled)
 * only MESSAGE\n.
 */
void	ansi_format(const struct ansi_modes *, const char *msg, size_t len,
	    bool disabled, struct buf *out);

/* True when the modes set no attribute (a bare echo: swatchdog warns). */
bool	ansi_is_empty(const struct ansi_modes *);

/*
 * Term::ANSIColor's switch: colours are off when NO_COLOR is set (any
 * value, even empty) or ANSI_COLORS_DISABLED is true in Perl's sense (set,
 * not "" and not "0"). Pass getenv()'s results; the caller reads the
 * environment once.
 */
bool	ansi_env_disabled(const char *no_color, const char *ansi_colors_disabled);

#endif
