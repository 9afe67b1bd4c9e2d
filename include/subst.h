#ifndef WATCHFOR_SUBST_H
#define WATCHFOR_SUBST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util.h"

/*
 * Action values are Perl double-quoted strings in swatchdog (spec sections
 * 7 and 8): `$1`, `$&`, `$_`, `$+{name}` interpolate and `\t`, `\n`, `\x41`
 * are processed. A template is such a value compiled once, at config time,
 * into literal text and references, so expanding it for a line never
 * parses anything again, and an executor can see where the substitutions
 * are (to keep log text away from a shell).
 */

struct match;

enum tmpl_mode {
	TMPL_VALUE,	/* any action option: message=, subject=, key= ... */
	TMPL_COMMAND,	/* exec and pipe commands: spec section 8 first */
};

enum tmpl_seg_kind {
	TMPL_LIT,	/* literal bytes in text/len */
	TMPL_GROUP,	/* $1..$9 (n), $& is group 0 */
	TMPL_NAMED,	/* $+{name}: name in text */
	TMPL_LINE,	/* $_ (and $0 outside commands): the raw line */
	TMPL_PREMATCH,	/* $` */
	TMPL_POSTMATCH,	/* $' */
	TMPL_PID,	/* $$ */
	TMPL_ESCLINE,	/* $0 or $* in a command, $S_: the escaped line */
	TMPL_FIELD,	/* $_[n]: awk field n (0-based) of the raw line */
	TMPL_ESCFIELD,	/* --awk-field-syntax $N, $S_[n]: field n (0-based)
			   of the escaped line split on runs of blanks */
	TMPL_FIELDS,	/* "@_": all awk fields joined by one space */
	TMPL_ESCFIELDS,	/* "@S_": the fields of the escaped line, joined */
};

struct tmpl_seg {
	enum tmpl_seg_kind kind;
	unsigned	 n;
	char		*text;		/* TMPL_LIT bytes or TMPL_NAMED name */
	size_t		 len;
};

struct tmpl {
	struct tmpl_seg	*segs;
	size_t		 nsegs;
};

/* What a template is expanded against. */
struct subst_ctx {
	const char		*line;		/* the record, chomped */
	size_t			 len;
	const struct match	*match;		/* may be NULL: no captures */
};

/*
 * Compiles `text`, the value as it stands between the double quotes of
 * swatchdog's generated Perl: the config parser has already done its part
 * (sw:581-599: commas, the quotes of a bare piece, `@` -> `\@` for bare
 * pieces and mail options). A bare `"` is taken as itself. With
 * TMPL_COMMAND the text first goes through swatchdog's convert_command
 * (runs of blanks collapse; `$0`, `$*` -> TMPL_ESCLINE; with `awk`
 * (--awk-field-syntax) `$N` -> TMPL_ESCFIELD N-1, `$10` being field 1 and
 * a "0"). `$ENV{NAME}` is read now and becomes literal text. Returns NULL
 * on error with *err (heap) and *erroff (0-based, into `text`) set: an
 * undeclared variable such as $HOME (swatchdog's generated Perl refuses
 * it), or a Perl-only form watchfor does not take (`$(`, `$1[0]`, `\U`);
 * the message says how to write the text literally.
 */
struct tmpl	*tmpl_compile(const char *text, enum tmpl_mode mode, bool awk,
		    char **err, size_t *erroff);
void		 tmpl_free(struct tmpl *);
/* True when the template has no reference (only literal text). */
bool		 tmpl_is_literal(const struct tmpl *);
/* Appends the expansion to `out`. A missing capture expands to nothing. */
void		 tmpl_expand(const struct tmpl *, const struct subst_ctx *,
		    struct buf *out);
/* Appends the text of one reference segment (not TMPL_LIT) to `out`. */
void		 tmpl_expand_seg(const struct tmpl_seg *,
		    const struct subst_ctx *, struct buf *out);

/*
 * swatchdog's $S_: the line with each of ; & ( ) | ^ > < $ ` ' \ preceded
 * by a backslash (spec section 3). Appends to `out`.
 */
void	subst_shell_escape(const char *line, size_t len, struct buf *out);

#endif
