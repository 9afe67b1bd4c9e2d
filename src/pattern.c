/*
 * swatchdog patterns compiled with PCRE2. Minimal first slice: /RE/flags
 * only. Knows nothing of rules or actions.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pattern.h"
#include "util.h"

struct pattern {
	pcre2_code		*code;
	pcre2_match_data	*md;
	unsigned		 ncaptures;
};

struct pattern *
pattern_compile(const char *text, enum pattern_status *status, char **err,
    size_t *erroff)
{
	struct pattern *p;
	struct buf re = { 0 };
	const char *s, *end;
	uint32_t flags = 0;
	int errcode;
	PCRE2_SIZE off;
	PCRE2_UCHAR msg[256];

	*status = PATTERN_UNSUPPORTED;
	*err = NULL;
	*erroff = 0;
	if (text[0] != '/' || (end = strrchr(text + 1, '/')) == NULL) {
		*err = xstrdup("pattern must be written /REGEX/");
		return NULL;
	}
	for (s = text + 1; s < end; s++) {
		if (s[0] == '\\' && s[1] == '/')
			s++;
		buf_addc(&re, *s);
	}
	for (s = end + 1; *s != '\0'; s++) {
		if (*s == 'i')
			flags |= PCRE2_CASELESS;
		else if (*s == 'x')
			flags |= PCRE2_EXTENDED;
		else if (*s == 's')
			flags |= PCRE2_DOTALL;
		else if (*s == 'm')
			flags |= PCRE2_MULTILINE;
		else {
			*erroff = (size_t)(s - text);
			*err = xasprintf("unknown flag '%c'", *s);
			buf_free(&re);
			return NULL;
		}
	}
	p = xcalloc(1, sizeof(*p));
	p->code = pcre2_compile((PCRE2_SPTR)(re.data ? re.data : ""), re.len,
	    flags, &errcode, &off, NULL);
	buf_free(&re);
	if (p->code == NULL) {
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		*status = PATTERN_BAD_REGEX;
		*err = xasprintf("%s at offset %zu", (char *)msg, (size_t)off);
		*erroff = off + 1;
		free(p);
		return NULL;
	}
	(void)pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE);
	p->md = pcre2_match_data_create_from_pattern(p->code, NULL);
	(void)pcre2_pattern_info(p->code, PCRE2_INFO_CAPTURECOUNT,
	    &p->ncaptures);
	*status = PATTERN_OK;
	return p;
}

void
pattern_free(struct pattern *p)
{
	if (p == NULL)
		return;
	pcre2_match_data_free(p->md);
	pcre2_code_free(p->code);
	free(p);
}

int
pattern_match(struct pattern *p, const char *line, size_t len,
    struct match *m)
{
	int rc;

	rc = pcre2_match(p->code, (PCRE2_SPTR)line, len, 0, 0, p->md, NULL);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0)
		return -1;
	if (m != NULL) {
		m->subject = line;
		m->len = len;
		m->pattern = p;
		m->ovector = pcre2_get_ovector_pointer(p->md);
		m->ngroups = pcre2_get_ovector_count(p->md);
	}
	return 1;
}

bool
match_group(const struct match *m, unsigned n, const char **p, size_t *len)
{
	if (n >= m->ngroups || m->ovector[2 * n] == PCRE2_UNSET)
		return false;
	*p = m->subject + m->ovector[2 * n];
	*len = m->ovector[2 * n + 1] - m->ovector[2 * n];
	return true;
}

bool
match_named(const struct match *m, const char *name, const char **p,
    size_t *len)
{
	int n;

	n = pcre2_substring_number_from_name(m->pattern->code,
	    (PCRE2_SPTR)name);
	if (n < 0)
		return false;
	return match_group(m, (unsigned)n, p, len);
}

unsigned
pattern_ncaptures(const struct pattern *p)
{
	return p->ncaptures;
}

bool
pattern_has_name(const struct pattern *p, const char *name)
{
	return pcre2_substring_number_from_name(p->code,
	    (PCRE2_SPTR)name) >= 0;
}
