/*
 * Perl regex source to PCRE2 source, for the pattern module (spec section
 * 6): delimiter escapes, Perl 5.34's `{,n}`, `\N{U+..}` and `\x{..}` as
 * bytes, the refusal of interpolated variables, code blocks and
 * case-changing escapes, and match modifiers to PCRE2 options.
 *
 * Leaves to others: parsing the expression around the matches, compiling
 * and matching (pattern.c).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "pattern_int.h"
#include "util.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Reads the hex digits of a `{...}` starting at s (just past the brace,
 * spaces allowed as Perl does); returns the value (saturated) or -1 when
 * the braces do not hold a plain hex number. *close is set to the `}`.
 */
static long
brace_hex(const char *s, const char *end, const char **close)
{
	long v = 0;
	int digits = 0, h;

	while (s < end && *s == ' ')
		s++;
	for (; s < end && (h = hexval((unsigned char)*s)) >= 0; s++) {
		if (v < 0x1000000)
			v = v * 16 + h;
		digits++;
	}
	while (s < end && *s == ' ')
		s++;
	if (s >= end || *s != '}' || digits == 0)
		return -1;
	*close = s;
	return v;
}

/* `$` at s: an anchor, or a Perl variable that swatchdog interpolates. */
static int
check_dollar(struct parser *ps, const char *s, const char *end)
{
	const char *e;

	if (s + 1 >= end || strchr("()| \r\n\t", s[1]) != NULL)
		return 0;
	for (e = s + 2; e < end && e < s + 24 && pat_is_word(*e); e++)
		;
	return pat_perr(ps, s, PATTERN_UNSUPPORTED,
	    "\"%.*s\" would interpolate a Perl variable; write \\$ for a "
	    "literal dollar sign ($ is an anchor only at the end or before "
	    ") or |)", (int)(e - s), s);
}

/* `@` at s: a literal, or a Perl array interpolation. */
static int
check_at(struct parser *ps, const char *s, const char *end)
{
	const char *e;

	if (s + 1 >= end)
		return 0;
	for (e = s + 1; e < end && e < s + 24 && pat_is_word(*e); e++)
		;
	if (isalpha((unsigned char)s[1]) || s[1] == '_') {
		pat_pwarn(ps, "\"%.*s\" is taken as a literal @ here, but swatchdog "
		    "(Perl) reads it as an undeclared array and fails; write "
		    "\\@ to be compatible with both", (int)(e - s), s);
		return 0;
	}
	if (isdigit((unsigned char)s[1]) || strchr(":'{$", s[1]) != NULL)
		return pat_perr(ps, s, PATTERN_UNSUPPORTED,
		    "\"%.*s\" would interpolate a Perl array; write \\@ for a "
		    "literal at sign", (int)(e + 1 - s) > 2 ? (int)(e - s) : 2,
		    s);
	return 0;
}

/*
 * Perl's `\N{U+hex}` and `\x{hex}` at s (the backslash). Bytes are
 * written as \x{..}; a code point above 0xff can never occur in a line
 * matched as bytes, and PCRE2 refuses it in non-UTF mode, so it is
 * refused here with that reason. Returns the bytes consumed, 0 when this
 * is no such escape, -1 on error.
 */
static int
translate_codepoint(struct parser *ps, const char *s, const char *end,
    struct buf *out)
{
	const char *close;
	long v;

	if (s + 2 >= end || s[2] != '{')
		return 0;
	if (s[1] == 'N') {
		if (s + 4 >= end || s[3] != 'U' || s[4] != '+')
			return pat_perr(ps, s, PATTERN_UNSUPPORTED,
			    "named characters \\N{...} are not supported; "
			    "write the byte as \\x{hh}");
		v = brace_hex(s + 5, end, &close);
	} else if (s[1] == 'x')
		v = brace_hex(s + 3, end, &close);
	else
		return 0;
	if (v < 0) {
		if (s[1] == 'N')
			return pat_perr(ps, s, PATTERN_UNSUPPORTED,
			    "malformed \\N{U+...}");
		return 0;	/* let PCRE2 judge \x{...} */
	}
	if (v > 0xff)
		return pat_perr(ps, s, PATTERN_UNSUPPORTED,
		    "code point %.*s is above \\x{ff}: lines are matched as "
		    "bytes (no UTF-8 decoding); write its UTF-8 bytes, e.g. "
		    "\\x{e2}\\x{82}\\x{ac} for U+20AC",
		    (int)(close + 1 - s), s);
	buf_addf(out, "\\x{%lx}", v);
	return (int)(close + 1 - s);
}

/*
 * Perl regex source (the body between the delimiters) to PCRE2 source.
 * `close` is the closing delimiter; for non-bracket delimiters `\close`
 * becomes the bare character, as Perl's tokenizer does. `interp` is false
 * for m'...' (no interpolation).
 */
int
pat_translate(struct parser *ps, const char *s, const char *end, char close,
    bool bracket, bool interp, struct buf *out)
{
	bool in_class = false, in_quote = false;
	const char *q;
	char c, d;
	int n;

	while (s < end) {
		c = *s;
		if (c == '\\' && s + 1 < end) {
			d = s[1];
			if (!bracket && d == close) {
				buf_addc(out, d);
				s += 2;
				continue;
			}
			if (interp && strchr("ULulF", d) != NULL)
				return pat_perr(ps, s, PATTERN_UNSUPPORTED,
				    "case-changing escape \\%c is not "
				    "supported; use (?i) or a character class",
				    d);
			if (in_quote) {
				if (d == 'E')
					in_quote = false;
				buf_add(out, s, 2);
				s += 2;
				continue;
			}
			if (d == 'Q' && !in_class)
				in_quote = true;
			if ((n = translate_codepoint(ps, s, end, out)) < 0)
				return -1;
			if (n > 0) {
				s += n;
				continue;
			}
			buf_add(out, s, 2);
			s += 2;
			continue;
		}
		if (interp && c == '$' && check_dollar(ps, s, end) == -1)
			return -1;
		if (interp && c == '@' && check_at(ps, s, end) == -1)
			return -1;
		if (in_quote) {
			buf_addc(out, c);
			s++;
			continue;
		}
		if (in_class) {
			if (c == '[' && s + 1 < end && strchr(":.=", s[1])) {
				/* [:alpha:] and friends, copied whole */
				for (q = s + 2; q + 1 < end; q++)
					if (q[0] == s[1] && q[1] == ']')
						break;
				if (q + 1 < end) {
					buf_add(out, s, (size_t)(q + 2 - s));
					s = q + 2;
					continue;
				}
			}
			if (c == ']')
				in_class = false;
			buf_addc(out, c);
			s++;
			continue;
		}
		if (c == '[') {
			in_class = true;
			buf_addc(out, c);
			s++;
			if (s < end && *s == '^')
				buf_addc(out, *s++);
			if (s < end && *s == ']')
				buf_addc(out, *s++);
			continue;
		}
		if (c == '(' && s + 2 < end && s[1] == '?' && (s[2] == '{' ||
		    (s[2] == '?' && s + 3 < end && s[3] == '{')))
			return pat_perr(ps, s, PATTERN_BAD_REGEX,
			    "Perl code blocks (?{...}) are not supported "
			    "(swatchdog rejects them too)");
		if (c == '{' && s + 1 < end && s[1] == ',') {
			/* Perl 5.34+: {,n} is {0,n}; PCRE2 10.42 reads it
			 * as literal text. */
			for (q = s + 2; q < end && isdigit((unsigned char)*q);
			    q++)
				;
			if (q > s + 2 && q < end && *q == '}') {
				buf_adds(out, "{0");
				s++;
				continue;
			}
		}
		buf_addc(out, c);
		s++;
	}
	return 0;
}

/* Perl match modifiers to PCRE2 options. */
int
pat_parse_flags(struct parser *ps, const char *s, const char *end,
    uint32_t *opts)
{
	int nx = 0, na = 0;
	char charset = 0;
	const char *f;

	*opts = 0;
	for (f = s; f < end; f++) {
		switch (*f) {
		case 'i':
			*opts |= PCRE2_CASELESS;
			break;
		case 'x':
			nx++;
			break;
		case 's':
			*opts |= PCRE2_DOTALL;
			break;
		case 'm':
			*opts |= PCRE2_MULTILINE;
			break;
		case 'n':
			*opts |= PCRE2_NO_AUTO_CAPTURE;
			break;
		case 'g':
			pat_pwarn(ps, "the g modifier is ignored (in swatchdog it "
			    "makes a later /g match on the same line start "
			    "after this one)");
			break;
		case 'c':	/* only meaningful with g */
		case 'o':	/* compile once: always so here */
		case 'p':	/* ${^MATCH}: nothing to do */
			break;
		case 'a':
			na++;
			/* FALLTHROUGH */
		case 'u':
		case 'l':
		case 'd':
			if (charset != 0 && charset != *f)
				return pat_perr(ps, f, PATTERN_UNSUPPORTED,
				    "regex modifiers \"/%c\" and \"/%c\" are "
				    "mutually exclusive", charset, *f);
			if ((*f != 'a' && charset == *f) || na > 2)
				return pat_perr(ps, f, PATTERN_UNSUPPORTED,
				    "regex modifier \"/%c\" may not appear "
				    "twice", *f);
			charset = *f;
			break;
		default:
			return pat_perr(ps, f, PATTERN_UNSUPPORTED,
			    "unknown regex modifier \"/%c\"", *f);
		}
	}
	if (nx == 1)
		*opts |= PCRE2_EXTENDED;
	else if (nx > 1)
		*opts |= PCRE2_EXTENDED_MORE;
	/*
	 * /u: Unicode rules for bytes 0x80-0xff (Latin-1), as Perl applies
	 * them; /a, /l (in the C locale) and /d are PCRE2's default here.
	 */
	if (charset == 'u')
		*opts |= PCRE2_UCP;
	return 0;
}
