/*
 * echo modes: Term::ANSIColor 5.01's names turned into one SGR escape
 * sequence at config time, and the echo bytes swatchdog prints for a
 * message. It reads no environment (the caller passes NO_COLOR's verdict)
 * and writes nothing: the echo action prints the buffer.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ansi.h"
#include "log.h"
#include "util.h"

struct ansi_modes {
	bool	 plain;		/* first mode "normal": MESSAGE\n only */
	char	*prefix;	/* ESC[...m, or "" for no attribute */
	size_t	 len;
};

struct attr {
	const char	*name;
	unsigned	 code;
};

/* Term::ANSIColor's %ATTRIBUTES without the generated names; sorted. */
static const struct attr attrs[] = {
	{ "black", 30 },
	{ "blink", 5 },
	{ "blue", 34 },
	{ "bold", 1 },
	{ "bright_black", 90 },
	{ "bright_blue", 94 },
	{ "bright_cyan", 96 },
	{ "bright_green", 92 },
	{ "bright_magenta", 95 },
	{ "bright_red", 91 },
	{ "bright_white", 97 },
	{ "bright_yellow", 93 },
	{ "clear", 0 },
	{ "concealed", 8 },
	{ "cyan", 36 },
	{ "dark", 2 },
	{ "faint", 2 },
	{ "green", 32 },
	{ "italic", 3 },
	{ "magenta", 35 },
	{ "on_black", 40 },
	{ "on_blue", 44 },
	{ "on_bright_black", 100 },
	{ "on_bright_blue", 104 },
	{ "on_bright_cyan", 106 },
	{ "on_bright_green", 102 },
	{ "on_bright_magenta", 105 },
	{ "on_bright_red", 101 },
	{ "on_bright_white", 107 },
	{ "on_bright_yellow", 103 },
	{ "on_cyan", 46 },
	{ "on_green", 42 },
	{ "on_magenta", 45 },
	{ "on_red", 41 },
	{ "on_white", 47 },
	{ "on_yellow", 43 },
	{ "red", 31 },
	{ "reset", 0 },
	{ "reverse", 7 },
	{ "underline", 4 },
	{ "underscore", 4 },
	{ "white", 37 },
	{ "yellow", 33 },
};

static int
attr_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct attr *)elem)->name);
}

/*
 * A number written as Perl's "$code" keys write it: decimal, no leading
 * zero, at most `max`. Returns -1 otherwise.
 */
static int
canonical_number(const char *s, int max)
{
	int v = 0;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s) || v > max)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v > max ? -1 : v;
}

/* rNgNbN's numbers: Perl's "$2 + 0", any leading zeros; -1 past 255. */
static int
rgb_number(const char **s)
{
	int v = 0;
	bool any = false;

	for (; isdigit((unsigned char)**s); (*s)++) {
		any = true;
		if (v <= 255)
			v = v * 10 + (**s - '0');
	}
	return any && v <= 255 ? v : -1;
}

/* rNgNbN after the optional on_; appends "2;R;G;B". */
static bool
true_color(const char *s, struct buf *codes)
{
	int r, g, b;

	if (*s++ != 'r' || (r = rgb_number(&s)) == -1 || *s++ != 'g' ||
	    (g = rgb_number(&s)) == -1 || *s++ != 'b' ||
	    (b = rgb_number(&s)) == -1 || *s != '\0')
		return false;
	buf_addf(codes, "2;%d;%d;%d", r, g, b);
	return true;
}

/* The generated 256-colour names after the optional on_; appends "5;N". */
static bool
color256(const char *s, struct buf *codes)
{
	int n;

	if (strncmp(s, "ansi", 4) == 0 && (n = canonical_number(s + 4,
	    255)) != -1) {
		buf_addf(codes, "5;%d", n);
		return true;
	}
	if (strncmp(s, "grey", 4) == 0 && (n = canonical_number(s + 4,
	    23)) != -1) {
		buf_addf(codes, "5;%d", 232 + n);
		return true;
	}
	if (strncmp(s, "rgb", 3) == 0 && strlen(s) == 6 &&
	    s[3] >= '0' && s[3] <= '5' && s[4] >= '0' && s[4] <= '5' &&
	    s[5] >= '0' && s[5] <= '5') {
		buf_addf(codes, "5;%d", 16 + 36 * (s[3] - '0') +
		    6 * (s[4] - '0') + (s[5] - '0'));
		return true;
	}
	return false;
}

/* Appends the code of one lowercased name (with a leading ';' if needed). */
static bool
add_name(const char *name, struct buf *codes)
{
	const struct attr *a;
	const char *s = name;
	size_t mark = codes->len;

	if (codes->len > 0)
		buf_addc(codes, ';');
	if ((a = bsearch(name, attrs, sizeof(attrs) / sizeof(attrs[0]),
	    sizeof(attrs[0]), attr_cmp)) != NULL) {
		buf_addf(codes, "%u", a->code);
		return true;
	}
	buf_adds(codes, strncmp(s, "on_", 3) == 0 ? "48;" : "38;");
	if (strncmp(s, "on_", 3) == 0)
		s += 3;
	if (color256(s, codes) || true_color(s, codes))
		return true;
	codes->len = mark;
	codes->data[mark] = '\0';
	return false;
}

/* Perl's split ' ' of one piece; each name is looked up lowercased. */
static int
add_piece(const char *piece, struct buf *codes, char **err)
{
	const char *p = piece, *a;
	char *name;
	size_t i;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			return 0;
		for (a = p; *p != '\0' && !isspace((unsigned char)*p); p++)
			continue;
		name = xstrndup(a, (size_t)(p - a));
		for (i = 0; name[i] != '\0'; i++)
			name[i] = (char)tolower((unsigned char)name[i]);
		if (!add_name(name, codes)) {
			*err = xasprintf("Invalid attribute name %s", name);
			free(name);
			return -1;
		}
		free(name);
	}
}

struct ansi_modes *
ansi_compile(char *const *modes, size_t n, char **err)
{
	struct ansi_modes *am;
	struct buf codes = { 0 };
	size_t i;

	*err = NULL;
	am = xcalloc(1, sizeof(*am));
	if (n > 0 && strcasecmp(modes[0], "normal") == 0) {
		am->plain = true;
		am->prefix = xstrdup("");
		return am;
	}
	for (i = 0; i < n; i++) {
		if (add_piece(modes[i], &codes, err) == -1) {
			buf_free(&codes);
			free(am);
			return NULL;
		}
	}
	if (codes.len > 0)
		am->prefix = xasprintf("\033[%sm", codes.data);
	else
		am->prefix = xstrdup("");
	am->len = strlen(am->prefix);
	buf_free(&codes);
	return am;
}

void
ansi_free(struct ansi_modes *am)
{
	if (am == NULL)
		return;
	free(am->prefix);
	free(am);
}

bool
ansi_is_empty(const struct ansi_modes *am)
{
	return !am->plain && am->len == 0;
}

void
ansi_format(const struct ansi_modes *am, const char *msg, size_t len,
    bool disabled, struct buf *out)
{
	if (am->plain || disabled) {
		buf_add(out, msg, len);
		buf_addc(out, '\n');
		return;
	}
	buf_add(out, am->prefix, am->len);
	buf_add(out, msg, len);
	buf_add(out, "\n\033[0m", 5);
}

bool
ansi_env_disabled(const char *no_color, const char *ansi_colors_disabled)
{
	if (no_color != NULL)
		return true;
	return ansi_colors_disabled != NULL && ansi_colors_disabled[0] != '\0'
	    && strcmp(ansi_colors_disabled, "0") != 0;
}
