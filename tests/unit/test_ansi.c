/*
 * Unit tests for ansi.c. The expected bytes were recorded from Perl 5.36's
 * Term::ANSIColor 5.01 (colored("MSG\n", @modes)) and the error texts from
 * its croak (without the " at FILE line N." tail).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ansi.h"
#include "util.h"

struct ansi_case {
	const char	*modes[3];
	size_t		 n;
	const char	*want;	/* echo bytes of "MSG", or the error */
};

static const struct ansi_case good[] = {
	{ { "bold" }, 1, "\033[1mMSG\n\033[0m" },
	{ { "clear" }, 1, "\033[0mMSG\n\033[0m" },
	{ { "reset" }, 1, "\033[0mMSG\n\033[0m" },
	{ { "dark" }, 1, "\033[2mMSG\n\033[0m" },
	{ { "faint" }, 1, "\033[2mMSG\n\033[0m" },
	{ { "italic" }, 1, "\033[3mMSG\n\033[0m" },
	{ { "underline" }, 1, "\033[4mMSG\n\033[0m" },
	{ { "underscore" }, 1, "\033[4mMSG\n\033[0m" },
	{ { "blink" }, 1, "\033[5mMSG\n\033[0m" },
	{ { "reverse" }, 1, "\033[7mMSG\n\033[0m" },
	{ { "concealed" }, 1, "\033[8mMSG\n\033[0m" },
	{ { "black" }, 1, "\033[30mMSG\n\033[0m" },
	{ { "red" }, 1, "\033[31mMSG\n\033[0m" },
	{ { "green" }, 1, "\033[32mMSG\n\033[0m" },
	{ { "yellow" }, 1, "\033[33mMSG\n\033[0m" },
	{ { "blue" }, 1, "\033[34mMSG\n\033[0m" },
	{ { "magenta" }, 1, "\033[35mMSG\n\033[0m" },
	{ { "cyan" }, 1, "\033[36mMSG\n\033[0m" },
	{ { "white" }, 1, "\033[37mMSG\n\033[0m" },
	{ { "on_black" }, 1, "\033[40mMSG\n\033[0m" },
	{ { "on_white" }, 1, "\033[47mMSG\n\033[0m" },
	{ { "bright_black" }, 1, "\033[90mMSG\n\033[0m" },
	{ { "bright_white" }, 1, "\033[97mMSG\n\033[0m" },
	{ { "on_bright_black" }, 1, "\033[100mMSG\n\033[0m" },
	{ { "on_bright_yellow" }, 1, "\033[103mMSG\n\033[0m" },
	{ { "on_bright_white" }, 1, "\033[107mMSG\n\033[0m" },
	{ { "ansi0" }, 1, "\033[38;5;0mMSG\n\033[0m" },
	{ { "ansi15" }, 1, "\033[38;5;15mMSG\n\033[0m" },
	{ { "ansi16" }, 1, "\033[38;5;16mMSG\n\033[0m" },
	{ { "ansi255" }, 1, "\033[38;5;255mMSG\n\033[0m" },
	{ { "on_ansi0" }, 1, "\033[48;5;0mMSG\n\033[0m" },
	{ { "on_ansi231" }, 1, "\033[48;5;231mMSG\n\033[0m" },
	{ { "rgb000" }, 1, "\033[38;5;16mMSG\n\033[0m" },
	{ { "rgb555" }, 1, "\033[38;5;231mMSG\n\033[0m" },
	{ { "rgb123" }, 1, "\033[38;5;67mMSG\n\033[0m" },
	{ { "on_rgb541" }, 1, "\033[48;5;221mMSG\n\033[0m" },
	{ { "grey0" }, 1, "\033[38;5;232mMSG\n\033[0m" },
	{ { "grey23" }, 1, "\033[38;5;255mMSG\n\033[0m" },
	{ { "on_grey12" }, 1, "\033[48;5;244mMSG\n\033[0m" },
	{ { "r0g0b0" }, 1, "\033[38;2;0;0;0mMSG\n\033[0m" },
	{ { "r255g128b7" }, 1, "\033[38;2;255;128;7mMSG\n\033[0m" },
	{ { "on_r1g2b3" }, 1, "\033[48;2;1;2;3mMSG\n\033[0m" },
	{ { "r007g0b0255" }, 1, "\033[38;2;7;0;255mMSG\n\033[0m" },
	{ { "R1G2B3" }, 1, "\033[38;2;1;2;3mMSG\n\033[0m" },
	{ { "On_R1G2B3" }, 1, "\033[48;2;1;2;3mMSG\n\033[0m" },
	{ { "BOLD" }, 1, "\033[1mMSG\n\033[0m" },
	{ { "Bright_Red" }, 1, "\033[91mMSG\n\033[0m" },
	{ { "ANSI42" }, 1, "\033[38;5;42mMSG\n\033[0m" },
	{ { "On_Grey5" }, 1, "\033[48;5;237mMSG\n\033[0m" },
	{ { "RGB012" }, 1, "\033[38;5;24mMSG\n\033[0m" },
	{ { "red bold" }, 1, "\033[31;1mMSG\n\033[0m" },
	{ { "bold", "red" }, 2, "\033[1;31mMSG\n\033[0m" },
	{ { "  red\tbold  ", "on_blue" }, 2, "\033[31;1;44mMSG\n\033[0m" },
	{ { "bold", "" }, 2, "\033[1mMSG\n\033[0m" },
	{ { "" }, 1, "MSG\n\033[0m" },
	{ { NULL }, 0, "MSG\n\033[0m" },
	{ { "\t " }, 1, "MSG\n\033[0m" },
	{ { "red", "underline blink" }, 2, "\033[31;4;5mMSG\n\033[0m" },
};

static const struct ansi_case bad[] = {
	{ { "foo" }, 1, "Invalid attribute name foo" },
	{ { "ansi256" }, 1, "Invalid attribute name ansi256" },
	{ { "ansi01" }, 1, "Invalid attribute name ansi01" },
	{ { "grey24" }, 1, "Invalid attribute name grey24" },
	{ { "grey01" }, 1, "Invalid attribute name grey01" },
	{ { "rgb600" }, 1, "Invalid attribute name rgb600" },
	{ { "rgb12" }, 1, "Invalid attribute name rgb12" },
	{ { "r256g0b0" }, 1, "Invalid attribute name r256g0b0" },
	{ { "r1g2" }, 1, "Invalid attribute name r1g2" },
	{ { "r1g2b3x" }, 1, "Invalid attribute name r1g2b3x" },
	{ { "gray1" }, 1, "Invalid attribute name gray1" },
	{ { "on_" }, 1, "Invalid attribute name on_" },
	{ { "on_on_red" }, 1, "Invalid attribute name on_on_red" },
	{ { "red", "normal" }, 2, "Invalid attribute name normal" },
	{ { "normal red" }, 1, "Invalid attribute name normal" },
	{ { " normal" }, 1, "Invalid attribute name normal" },
	{ { "Red Bogus" }, 1, "Invalid attribute name bogus" },
	{ { "#" }, 1, "Invalid attribute name #" },
	{ { "bold", "#comment" }, 2, "Invalid attribute name #comment" },
};

static void
test_names(void **state)
{
	struct ansi_modes *am;
	struct buf out = { 0 };
	char *err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		am = ansi_compile((char *const *)good[i].modes, good[i].n, &err);
		if (am == NULL)
			fail_msg("case %zu (%s): %s", i, good[i].modes[0], err);
		buf_reset(&out);
		ansi_format(am, "MSG", 3, false, &out);
		if (out.len != strlen(good[i].want) ||
		    memcmp(out.data, good[i].want, out.len) != 0)
			fail_msg("case %zu (%s): got %s", i, good[i].modes[0],
			    out.data);
		ansi_free(am);
	}
	buf_free(&out);
}

static void
test_invalid(void **state)
{
	struct ansi_modes *am;
	char *err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		am = ansi_compile((char *const *)bad[i].modes, bad[i].n, &err);
		assert_null(am);
		assert_non_null(err);
		assert_string_equal(err, bad[i].want);
		free(err);
	}
}

/* Every generated name of Term::ANSIColor, against its formula. */
static void
test_generated_families(void **state)
{
	struct ansi_modes *am;
	struct buf out = { 0 }, want = { 0 };
	char name[32], *err, *const modes[1] = { name };
	int i, r, g, b, on;

	(void)state;
	for (on = 0; on < 2; on++) {
		for (i = 0; i < 256 + 216 + 24; i++) {
			if (i < 256) {
				snprintf(name, sizeof(name), "%sansi%d",
				    on ? "on_" : "", i);
				r = i;
			} else if (i < 256 + 216) {
				r = i - 256;
				snprintf(name, sizeof(name), "%srgb%d%d%d",
				    on ? "on_" : "", r / 36, r / 6 % 6, r % 6);
				r += 16;
			} else {
				snprintf(name, sizeof(name), "%sgrey%d",
				    on ? "on_" : "", i - 256 - 216);
				r = 232 + i - 256 - 216;
			}
			am = ansi_compile(modes, 1, &err);
			assert_non_null(am);
			buf_reset(&out);
			buf_reset(&want);
			ansi_format(am, "", 0, false, &out);
			buf_addf(&want, "\033[%d;5;%dm\n\033[0m", on ? 48 : 38,
			    r);
			assert_string_equal(out.data, want.data);
			ansi_free(am);
		}
	}
	for (r = 0; r < 256; r += 51)
		for (g = 0; g < 256; g += 85)
			for (b = 0; b < 256; b += 127) {
				snprintf(name, sizeof(name), "r%dg%db%d", r, g,
				    b);
				am = ansi_compile(modes, 1, &err);
				assert_non_null(am);
				buf_reset(&out);
				buf_reset(&want);
				ansi_format(am, "", 0, false, &out);
				buf_addf(&want, "\033[38;2;%d;%d;%dm\n\033[0m",
				    r, g, b);
				assert_string_equal(out.data, want.data);
				ansi_free(am);
			}
	buf_free(&out);
	buf_free(&want);
}

/* swatchdog's own case: a first mode "normal" prints MESSAGE\n only. */
static void
test_normal(void **state)
{
	static const char *const firsts[] = { "normal", "NORMAL", "Normal" };
	struct ansi_modes *am;
	struct buf out = { 0 };
	char *err, *modes[2];
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		modes[0] = (char *)firsts[i];
		modes[1] = (char *)"no_such_mode";	/* never looked at */
		am = ansi_compile(modes, 2, &err);
		assert_non_null(am);
		assert_false(ansi_is_empty(am));
		buf_reset(&out);
		ansi_format(am, "a\0b", 3, false, &out);
		assert_int_equal(out.len, 4);
		assert_memory_equal(out.data, "a\0b\n", 4);
		ansi_free(am);
	}
	buf_free(&out);
}

/* Message bytes pass untouched: NUL, invalid UTF-8, escapes. */
static void
test_message_bytes(void **state)
{
	static const char msg[] = "\0\xff\xc3(\033[31m";
	static const char want[] = "\033[1m\0\xff\xc3(\033[31m\n\033[0m";
	struct ansi_modes *am;
	struct buf out = { 0 };
	char *err, *const modes[] = { (char *)"bold" };

	(void)state;
	am = ansi_compile(modes, 1, &err);
	assert_non_null(am);
	assert_false(ansi_is_empty(am));
	ansi_format(am, msg, sizeof(msg) - 1, false, &out);
	assert_int_equal(out.len, sizeof(want) - 1);
	assert_memory_equal(out.data, want, out.len);
	ansi_free(am);
	buf_free(&out);
}

/* NO_COLOR / ANSI_COLORS_DISABLED: not even the reset. */
static void
test_disabled(void **state)
{
	struct ansi_modes *am;
	struct buf out = { 0 };
	char *err, *const modes[] = { (char *)"bold red" };

	(void)state;
	assert_true(ansi_env_disabled("", NULL));
	assert_true(ansi_env_disabled("0", NULL));
	assert_true(ansi_env_disabled(NULL, "1"));
	assert_true(ansi_env_disabled(NULL, "yes"));
	assert_true(ansi_env_disabled(NULL, "00"));
	assert_false(ansi_env_disabled(NULL, "0"));
	assert_false(ansi_env_disabled(NULL, ""));
	assert_false(ansi_env_disabled(NULL, NULL));

	am = ansi_compile(modes, 1, &err);
	assert_non_null(am);
	ansi_format(am, "m", 1, true, &out);
	assert_int_equal(out.len, 2);
	assert_memory_equal(out.data, "m\n", 2);
	ansi_free(am);

	am = ansi_compile(NULL, 0, &err);
	assert_non_null(am);
	assert_true(ansi_is_empty(am));
	buf_reset(&out);
	ansi_format(am, "m", 1, true, &out);
	assert_string_equal(out.data, "m\n");
	buf_reset(&out);
	ansi_format(am, "m", 1, false, &out);
	assert_string_equal(out.data, "m\n\033[0m");
	ansi_free(am);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_generated_families),
		cmocka_unit_test(test_normal),
		cmocka_unit_test(test_message_bytes),
		cmocka_unit_test(test_disabled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
