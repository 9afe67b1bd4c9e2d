#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <ctype.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "redos.h"
#include "util.h"

/* The first warning for `text` (a pattern as written), or NULL. */
static char *
warn_for(const char *text, size_t *off)
{
	struct pattern *p;
	struct pattern_source src;
	enum pattern_status st;
	char *err, *msg = NULL;
	size_t eoff, i;

	p = pattern_compile(text, &st, &err, &eoff);
	if (p == NULL)
		fail_msg("%s: does not compile: %s", text, err);
	for (i = 0; i < pattern_nsources(p) && msg == NULL; i++) {
		pattern_source(p, i, &src);
		msg = redos_check(&src, off);
	}
	pattern_free(p);
	return msg;
}

static const struct {
	const char	*text;
	const char	*part;	/* quoted in the message, at *off */
	const char	*kind;
	bool		 confirmed;
} bad[] = {
	{ "/(a+)+$/", "(a+)+", "nested quantifier", true },
	{ "/^(a+)+$/", "(a+)+", "nested quantifier", true },
	{ "/(a|a)*b/", "(a|a)*", "repeated alternation", true },
	{ "/(\\w+\\s?)+$/", "(\\w+\\s?)+", "nested quantifier", true },
	{ "/^(\\d+)*$/", "(\\d+)*", "nested quantifier", true },
	{ "/(.*a){12}/", "(.*a){12}", "nested quantifier", false },
	{ "/(x+x+)+y/", "(x+x+)+", "nested quantifier", true },
	{ "/(a*)*b/", "(a*)*", "nested quantifier", true },
	{ "/(?:x+)*y/", "(?:x+)*", "nested quantifier", true },
	{ "/(\\w+\\s*)+$/", "(\\w+\\s*)+", "nested quantifier", true },
	{ "/(\\w|\\d)+$/", "(\\w|\\d)+", "repeated alternation", true },
	{ "/(a|aa)*b/", "(a|aa)*", "repeated alternation", true },
	{ "/(.*,)+x/", "(.*,)+", "nested quantifier", true },
	{ "/(?:\\w+[.-]?)+@/", "(?:\\w+[.-]?)+", "nested quantifier", true },
	{ "/\\d+\\d+$/", "\\d+\\d+", "quantifiers", false },
	{ "/.*.*X/", ".*.*", "quantifiers", false },
	{ "/time=\\d+\\.?\\d*ms/", "\\d+\\.?\\d*", "quantifiers", false },
	/* after a prefix the attack line has to reach */
	{ "m{^\\S+ \\S+ smtpd\\[\\d+\\]: (\\w+\\s?)+$}",
	    "(\\w+\\s?)+", "nested quantifier", true },
	/* /x, /i, a compound */
	{ "/ ( a + ) + $ /x", "( a + ) +", "nested quantifier", true },
	{ "/(A+)+$/i", "(A+)+", "nested quantifier", true },
	{ "/x/ and !/(a+)+$/", "(a+)+", "nested quantifier", true },
};

static const char *const good[] = {
	"/id=RULE-RATE/",
	"/.*\\buser=([^,\\s]+)/",
	"/(?>a+)+/",
	"/(?>a+)+$/",
	"/(a++)+$/",
	"/(a+)++$/",
	"/[a-z]+@[a-z]+\\.com/",
	"/^\\S+ \\S+ postfix\\/smtpd\\[\\d+\\]:/",
	"/(a|ab)*c/",
	"/(ab|ac)*d/",
	"/^(\\S+\\s+)+$/",
	"/([^,]*,)+x/",
	"/([a-z0-9-]+\\.)+[a-z]+$/",
	"/(\\d{1,3}\\.){3}\\d{1,3}/",
	"/.*foo.*bar/",
	"/.*\\s+(\\d+)$/",
	"/\\d+\\d+/",
	"/(?:[^\"\\\\]|\\\\.)*\"/",
	"/(\\S+) (\\S+) (\\S+)/",
	"/^[^:]+:\\s*(.*)$/",
	"/(a+){3}/",
	"/(?=(a+)+)/",
	"/(?>(a+)+)b/",
	"/\\Qa+\\E+/",
	"/[(a+)+]/",
	"/\\(a+\\)+$/",
	"/(a\\+)+$/",
};

static void
test_bad(void **state)
{
	char *msg, *want, *leaf;
	size_t i, off;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if ((msg = warn_for(bad[i].text, &off)) == NULL)
			fail_msg("%s: no warning", bad[i].text);
		want = xasprintf("%s \"%s\"", bad[i].kind, bad[i].part);
		if (strstr(msg, want) == NULL)
			fail_msg("%s: %s, want %s", bad[i].text, msg, want);
		if (strncmp(bad[i].text + off, bad[i].part,
		    strlen(bad[i].part)) != 0)
			fail_msg("%s: offset %zu", bad[i].text, off);
		if ((strstr(msg, ", confirmed: a ") != NULL) !=
		    bad[i].confirmed)
			fail_msg("%s: confirmation: %s", bad[i].text, msg);
		leaf = xstrndup(msg, (size_t)(strstr(msg, " can take ") - msg));
		if (strstr(bad[i].text, leaf) == NULL || strstr(msg,
		    strstr(msg, "polynomial time") != NULL ?
		    "; " REDOS_UNBOUNDED : "; " REDOS_STOPPED) == NULL)
			fail_msg("%s: %s", bad[i].text, msg);
		free(leaf);
		free(want);
		free(msg);
	}
}

static void
test_good(void **state)
{
	char *msg;
	size_t i, off;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if ((msg = warn_for(good[i], &off)) != NULL)
			fail_msg("%s: %s", good[i], msg);
}

/* The rules shipped in etc/ (the tests run in tests/unit). */
static void
test_shipped(void **state)
{
	glob_t g;
	FILE *f;
	char line[4096], *t, *msg;
	size_t i, n = 0, off;

	(void)state;
	assert_int_equal(glob("../../etc/*.conf", 0, NULL, &g), 0);
	assert_int_equal(glob("../../etc/examples/*.conf", GLOB_APPEND, NULL,
	    &g), 0);
	for (i = 0; i < g.gl_pathc; i++) {
		assert_non_null(f = fopen(g.gl_pathv[i], "r"));
		while (fgets(line, sizeof(line), f) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			if (strncmp(line, "watchfor ", 9) != 0 &&
			    strncmp(line, "ignore ", 7) != 0 &&
			    strncmp(line, "waitfor ", 8) != 0)
				continue;
			t = line + strcspn(line, " ");
			while (isspace((unsigned char)*t))
				t++;
			if ((msg = warn_for(t, &off)) != NULL)
				fail_msg("%s: %s", g.gl_pathv[i], msg);
			n++;
		}
		fclose(f);
	}
	globfree(&g);
	assert_true(n >= 8);
}

/* The scanner alone: no confirmation without the compiled source. */
static void
test_scan(void **state)
{
	struct redos_finding f;

	(void)state;
	assert_true(redos_scan("(a+)+$", 6, 0, NULL, 0, &f));
	assert_int_equal(f.kind, REDOS_NESTED);
	assert_int_equal(f.off, 0);
	assert_int_equal(f.len, 5);
	assert_false(f.confirmed);
	assert_true(redos_scan("x(a+)+$", 7, 0, "x(a+)+$", 7, &f));
	assert_int_equal(f.off, 1);
	assert_true(f.confirmed);
	assert_true(f.attack_len > 30 && f.attack_len < 40);
	/* broken or deep input ends without a finding, never a crash */
	assert_false(redos_scan("((((", 4, 0, NULL, 0, &f));
	assert_false(redos_scan("a)b", 3, 0, NULL, 0, &f));
	assert_false(redos_scan("[a", 2, 0, NULL, 0, &f));
	assert_false(redos_scan("\\", 1, 0, NULL, 0, &f));
	assert_false(redos_scan("a{2,", 4, 0, NULL, 0, &f));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
