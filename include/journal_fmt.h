#ifndef WATCHFOR_JOURNAL_FMT_H
#define WATCHFOR_JOURNAL_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/*
 * The pure half of the journal input, usable without libsystemd (so
 * --check needs none): the "#% input-journal" directive's grammar, and
 * the line an entry becomes, shaped like Debian 12's rsyslog writes it:
 *
 *	2026-11-22T19:36:59.588891+00:00 HOST IDENT[PID]: MESSAGE
 */

struct config;
struct journal_spec;

/*
 * The fields of one entry that make its line. A field is NULL when the
 * entry lacks it; `*len` bytes, not NUL-terminated, any bytes allowed.
 */
struct journal_entry {
	uint64_t	 realtime;	/* us since the epoch */
	const char	*host;		/* _HOSTNAME */
	size_t		 hostlen;
	const char	*ident;		/* SYSLOG_IDENTIFIER, else _COMM */
	size_t		 identlen;
	const char	*pid;		/* SYSLOG_PID, else _PID */
	size_t		 pidlen;
	const char	*msg;		/* MESSAGE */
	size_t		 msglen;
};

/*
 * Appends the entry's line to `b` (no newline): the time in RFC 3339 with
 * microseconds and the local UTC offset, the host ("localhost" when
 * missing), "IDENT[PID]: " ("IDENT: " without a pid, nothing without an
 * ident), then the message. As rsyslog does by default, one trailing
 * newline of the message is dropped and every control byte (0x00-0x1f,
 * 0x7f) is written as '#' and three octal digits ("#012" for a newline),
 * so an entry is always one line; bytes from 0x80 up pass unchanged.
 */
void		 journal_format(struct buf *b, const struct journal_entry *);
/* Appends `n` bytes with control bytes escaped as above. */
void		 journal_escape(struct buf *b, const char *s, size_t n);

/*
 * The matches of every "#% input-journal" line of a config: each line is
 * one group; within a group, matches on the same field are alternatives
 * (OR) and different fields must all hold (AND); an entry is read when
 * any group matches it (sd_journal_add_disjunction). A group without
 * matches ("all", or only directory=) reads every entry.
 */
struct journal_spec *journal_spec_new(void);
void		 journal_spec_free(struct journal_spec *);
/*
 * Adds one directive value as a group: words separated by blanks, each
 * unit=NAME, identifier=NAME, priority=P (0..7 or emerg..debug: that
 * level and the more urgent ones), directory=PATH, FIELD=VALUE (a raw
 * journal match, FIELD in [A-Z0-9_]), or "all". Returns 0, or -1 with
 * *err set to a heap message and *off to the offset of the bad word.
 */
int		 journal_spec_add(struct journal_spec *, const char *value,
		    char **err, size_t *off);
/*
 * The spec of the config's input-journal lines (already checked when
 * the config loaded; a bad line is skipped), or NULL when it has none.
 */
struct journal_spec *journal_spec_from_config(const struct config *);
/* The directory= value, or NULL for the system journal. Borrowed. */
const char	*journal_spec_directory(const struct journal_spec *);
/* Number of groups. */
size_t		 journal_spec_ngroups(const struct journal_spec *);
/*
 * The matches of group `i`, each "FIELD=VALUE"; *n gets their number.
 * Borrowed.
 */
char *const	*journal_spec_group(const struct journal_spec *, size_t i,
		    size_t *n);
/* True when some group has no match: every entry is read. */
bool		 journal_spec_all(const struct journal_spec *);

#endif
