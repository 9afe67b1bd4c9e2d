#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "action_exec.h"
#include "pattern.h"
#include "spawn.h"
#include "subst.h"
#include "util.h"

/* A compiled command and a record matched against a pattern. */
struct fixture {
	struct pattern		*p;
	struct match		 m;
	struct subst_ctx	 ctx;
	struct exec_tmpl	*x;
};

static void
fx_init(struct fixture *f, const char *cmd, bool awk, const char *re,
    const char *line)
{
	enum pattern_status st;
	struct tmpl *t;
	char *err = NULL;
	size_t off;

	memset(f, 0, sizeof(*f));
	t = tmpl_compile(cmd, TMPL_COMMAND, awk, &err, &off);
	if (t == NULL)
		fail_msg("tmpl_compile(%s): %s", cmd, err);
	f->x = exec_tmpl_new(t);
	f->ctx.line = line;
	f->ctx.len = strlen(line);
	if (re != NULL) {
		f->p = pattern_compile(re, &st, &err, &off);
		if (f->p == NULL)
			fail_msg("pattern_compile(%s): %s", re, err);
		if (pattern_match(f->p, line, strlen(line), &f->m) != 1)
			fail_msg("%s does not match %s", re, line);
		f->ctx.match = &f->m;
	}
}

static void
fx_free(struct fixture *f)
{
	exec_tmpl_free(f->x);
	pattern_free(f->p);
}

/* Direct commands: config text, pattern, line -> argv ("|"-joined). */
static const struct {
	const char	*cmd;
	bool		 awk;
	const char	*re;
	const char	*line;
	const char	*argv;
	const char	*vars;		/* "|"-joined; NULL: skip */
	bool		 dup_stderr;
} direct_cases[] = {
	{ "echo direct: $1 #not-a-comment", false, "/^direct (\\w+)/",
	    "direct alpha", "echo|direct:|alpha|#not-a-comment",
	    "WATCHFOR_1=alpha", false },
	{ "echo user $1", false, "/user=(.*) from/",
	    "login user=$(touch pwned) from x",
	    "echo|user|$(touch pwned)", "WATCHFOR_1=$(touch pwned)", false },
	{ "echo a$1b", false, "/^(.*)$/", "x  y;`z`",
	    "echo|ax  y;`z`b", NULL, false },
	{ "echo $1 end", false, "/^(q)?/", "line", "echo|end",
	    "WATCHFOR_1=", false },
	{ "echo $0", false, "/a/", "a  b;c 'd' $e \\f *",
	    "echo|a  b;c 'd' $e \\f *", "WATCHFOR_LINE=a  b;c 'd' $e \\f *",
	    false },
	{ "echo $*", false, "/x/", "x\nnewline", "echo|x\nnewline", NULL,
	    false },
	{ "echo $2:$4", true, "/./", "a b;c d $(e)",
	    "echo|b;c:$(e)", "WATCHFOR_FIELD_2=b;c|WATCHFOR_FIELD_4=$(e)",
	    false },
	{ "echo :$1: :$2:", true, "/x/", "  x y", "echo|::|:x:", NULL,
	    false },
	{ "echo $&", false, "/b+/", "abbbc", "echo|bbb",
	    "WATCHFOR_MATCH=bbb", false },
	{ "echo    a   b", false, NULL, "l", "echo|a|b", "", false },
	{ "logger -t x $1 2>&1", false, "/(y)/", "y", "logger|-t|x|y", NULL,
	    true },
	{ "$1 arg", false, "/^(\\S+)/", "prog rest", "prog|arg", NULL,
	    false },
};

static void
join(char *const *v, size_t n, struct buf *out)
{
	size_t i;

	buf_reset(out);
	buf_reserve(out, 1);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(out, '|');
		buf_adds(out, v[i]);
	}
}

static void
test_direct_argv(void **state)
{
	struct fixture f;
	struct exec_cmd c;
	struct buf b = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(direct_cases) / sizeof(direct_cases[0]); i++) {
		fx_init(&f, direct_cases[i].cmd, direct_cases[i].awk,
		    direct_cases[i].re, direct_cases[i].line);
		if (exec_tmpl_shell(f.x))
			fail_msg("%s: runs under a shell", direct_cases[i].cmd);
		exec_cmd_build(f.x, &f.ctx, &c);
		join(c.argv, c.argc, &b);
		if (strcmp(b.data, direct_cases[i].argv) != 0)
			fail_msg("%s: argv %s, want %s", direct_cases[i].cmd,
			    b.data, direct_cases[i].argv);
		assert_string_equal(c.file, c.argv[0]);
		assert_null(c.argv[c.argc]);
		if (direct_cases[i].vars != NULL) {
			join(c.vars, c.nvars, &b);
			if (strcmp(b.data, direct_cases[i].vars) != 0)
				fail_msg("%s: vars %s, want %s",
				    direct_cases[i].cmd, b.data,
				    direct_cases[i].vars);
		}
		assert_int_equal(c.dup_stderr, direct_cases[i].dup_stderr);
		exec_cmd_clear(&c);
		fx_free(&f);
	}
	buf_free(&b);
}

/* Shell commands: config text -> the script given to sh -c. */
static const struct {
	const char	*cmd;
	const char	*script;
} script_cases[] = {
	{ "echo alert $1 >> alerts.txt",
	    "echo alert ${WATCHFOR_1:+\"${WATCHFOR_1}\"} >> alerts.txt" },
	{ "echo \"x $1 y\" | cat", "echo \"x ${WATCHFOR_1} y\" | cat" },
	{ "echo 'a $1 b' | cat",
	    "echo 'a '\"${WATCHFOR_1}\"' b' | cat" },
	{ "echo zero:[$0] star:[$*]",
	    "echo zero:[${WATCHFOR_LINE:+\"${WATCHFOR_LINE}\"}] "
	    "star:[${WATCHFOR_LINE:+\"${WATCHFOR_LINE}\"}]" },
	/* the config's \$1 is the shell's own $1 */
	{ "echo literal:\\$1 $1;", "echo literal:$1 "
	    "${WATCHFOR_1:+\"${WATCHFOR_1}\"};" },
	{ "echo shell:\\$0 home:\\$HOME", "echo shell:$0 home:$HOME" },
	{ "echo \\$(echo \"$1\") x;",
	    "echo $(echo \"${WATCHFOR_1}\") x;" },
	{ "echo \"\\$(printf '%s' $1)\" $2;",
	    "echo \"$(printf '%s' ${WATCHFOR_1:+\"${WATCHFOR_1}\"})\" "
	    "${WATCHFOR_2:+\"${WATCHFOR_2}\"};" },
	{ "echo `echo '$1'`;",
	    "echo `echo ''\"${WATCHFOR_1}\"''`;" },
	{ "echo \\$((1+2)) $1;",
	    "echo $((1+2)) ${WATCHFOR_1:+\"${WATCHFOR_1}\"};" },
	/* \\ before a reference: dropped unquoted, kept inside "..." */
	{ "echo \\\\$1 \"\\\\$1\";",
	    "echo ${WATCHFOR_1:+\"${WATCHFOR_1}\"} \"\\\\${WATCHFOR_1}\";" },
	/* an apostrophe in a comment does not open a quote */
	{ "echo $1; # it's $2\\necho $3",
	    "echo ${WATCHFOR_1:+\"${WATCHFOR_1}\"}; # it's ${WATCHFOR_2}\n"
	    "echo ${WATCHFOR_3:+\"${WATCHFOR_3}\"}" },
	{ "a=$1; echo \"\\$a\" \\${HOME:-$2}",
	    "a=${WATCHFOR_1:+\"${WATCHFOR_1}\"}; echo \"$a\" "
	    "${HOME:-${WATCHFOR_2:+\"${WATCHFOR_2}\"}}" },
	{ "X=1 env $+{user}",
	    "X=1 env ${WATCHFOR_NAMED_user:+\"${WATCHFOR_NAMED_user}\"}" },
	{ "echo a ; echo $` $' $_ $$",
	    "echo a ; echo ${WATCHFOR_PREMATCH:+\"${WATCHFOR_PREMATCH}\"} "
	    "${WATCHFOR_POSTMATCH:+\"${WATCHFOR_POSTMATCH}\"} "
	    "${WATCHFOR_LINE:+\"${WATCHFOR_LINE}\"} "
	    "${WATCHFOR_PID:+\"${WATCHFOR_PID}\"}" },
};

static void
test_shell_script(void **state)
{
	struct fixture f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(script_cases) / sizeof(script_cases[0]); i++) {
		fx_init(&f, script_cases[i].cmd, false, NULL, "l");
		if (!exec_tmpl_shell(f.x))
			fail_msg("%s: runs directly", script_cases[i].cmd);
		if (strcmp(exec_tmpl_script(f.x), script_cases[i].script) != 0)
			fail_msg("%s:\n got %s\nwant %s", script_cases[i].cmd,
			    exec_tmpl_script(f.x), script_cases[i].script);
		fx_free(&f);
	}
}

/* Runs `c` with stdout to a temporary file; returns what it printed. */
static char *
run_capture(const struct exec_cmd *c)
{
	char path[] = "/tmp/test_action_exec.XXXXXX";
	struct buf b = { 0 };
	char chunk[4096];
	int fd, saved;
	ssize_t n;
	pid_t pid;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	pid = exec_cmd_spawn(c, -1);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	assert_true(pid > 0);
	assert_int_equal(spawn_wait(pid), 0);
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(&b, chunk, (size_t)n);
	close(fd);
	buf_reserve(&b, 1);
	return buf_detach(&b);
}

/* Payloads that a shell would run, glob or split if it parsed them. */
static const char *const payloads[] = {
	"$(touch pwned)", "`touch pwned`", "a; touch pwned",
	"a | touch pwned", "it's", "say \"hi\"", "back\\slash", "*", "/*",
	"a  b", "x\ntouch pwned",
	"cr\rhere", "${HOME}", "'\"'\"'", "-n", "~", "#c", "",
};

/* Every quoting context, run for real by /bin/sh. */
static const char *const contexts[] = {
	"printf '[%s]\\n' $1 | cat",
	"printf '[%s]\\n' \"$1\" | cat",
	"printf '[%s]\\n' 'x$1y' | cat",
	"printf '[%s]\\n' \"\\$(printf %s $1)\"",
	"printf '[%s]\\n' \"`printf %s \"$1\"`\"",
	"printf '[%s]\\n' pre$1post; :",
	"printf '[%s]\\n' $1",
};

static void
test_payloads_inert(void **state)
{
	char dir[] = "/tmp/test_action_exec.d.XXXXXX", *out, *want, *line;
	struct fixture f;
	struct exec_cmd c;
	struct stat sb;
	size_t i, j;
	int cwd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	cwd = open(".", O_RDONLY | O_DIRECTORY);
	assert_int_equal(chdir(dir), 0);
	/* files for a glob to find */
	close(open("aaa", O_CREAT | O_WRONLY, 0600));
	for (i = 0; i < sizeof(contexts) / sizeof(contexts[0]); i++) {
		for (j = 0; j < sizeof(payloads) / sizeof(payloads[0]); j++) {
			line = xasprintf("v=%s", payloads[j]);
			fx_init(&f, contexts[i], false, "/^v=(.*)$/s", line);
			exec_cmd_build(f.x, &f.ctx, &c);
			out = run_capture(&c);
			if (strstr(contexts[i], "x$1y") != NULL)
				want = xasprintf("[x%sy]\n", payloads[j]);
			else if (strstr(contexts[i], "pre$1") != NULL)
				want = xasprintf("[pre%spost]\n", payloads[j]);
			else if (payloads[j][0] == '\0' &&
			    strstr(contexts[i], "' $1") != NULL)
				want = xstrdup("[]\n");	/* no argument */
			else
				want = xasprintf("[%s]\n", payloads[j]);
			if (strcmp(out, want) != 0)
				fail_msg("%s with %s: got %s want %s",
				    contexts[i], payloads[j], out, want);
			if (stat("pwned", &sb) == 0)
				fail_msg("%s with %s: ran the payload",
				    contexts[i], payloads[j]);
			free(out);
			free(want);
			free(line);
			exec_cmd_clear(&c);
			fx_free(&f);
		}
	}
	unlink("aaa");
	assert_int_equal(fchdir(cwd), 0);
	close(cwd);
	rmdir(dir);
}

static const struct {
	const char	*cmd;
	bool		 warns;
} nested_cases[] = {
	{ "sh -c 'echo $1'", true },
	{ "/bin/bash -ec \"logger $1\"", true },
	{ "sh -c $1", true },
	{ "ssh host echo $1", true },
	{ "eval echo $1", true },
	{ "su -c \"echo $1\" root", true },
	{ "sh -c 'echo \"\\$1\"' sh $1", false },
	{ "echo $1 | sh", false },
	{ "echo 'sh -c' $1", false },
	{ "logger -t sh $1", false },
};

static void
test_nested_shell_warning(void **state)
{
	struct fixture f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(nested_cases) / sizeof(nested_cases[0]); i++) {
		fx_init(&f, nested_cases[i].cmd, false, NULL, "l");
		if ((exec_tmpl_warning(f.x) != NULL) != nested_cases[i].warns)
			fail_msg("%s: warning %s", nested_cases[i].cmd,
			    exec_tmpl_warning(f.x) ? exec_tmpl_warning(f.x) :
			    "(none)");
		fx_free(&f);
	}
}

static void
test_add_arg(void **state)
{
	struct fixture f;
	struct exec_cmd c;
	char *out;

	(void)state;
	fx_init(&f, "printf '<%s>\\\\n'", false, NULL, "l");
	exec_cmd_build(f.x, &f.ctx, &c);
	exec_cmd_add_arg(&c, "a b;$(x)", 8);
	assert_string_equal(c.argv[2], "printf '<%s>\\n' \"${WATCHFOR_ARG1}\"");
	out = run_capture(&c);
	assert_string_equal(out, "<a b;$(x)>\n");
	free(out);
	exec_cmd_clear(&c);
	fx_free(&f);

	fx_init(&f, "/usr/bin/write", false, NULL, "l");
	exec_cmd_build(f.x, &f.ctx, &c);
	exec_cmd_add_arg(&c, "bob;x", 5);
	assert_int_equal(c.argc, 2);
	assert_string_equal(c.argv[1], "bob;x");
	exec_cmd_clear(&c);
	fx_free(&f);
}

static void
test_env_and_stdin(void **state)
{
	struct fixture f;
	struct exec_cmd c;
	char *out;

	(void)state;
	setenv("WATCHFOR_1", "stale", 1);
	setenv("TEST_ACTION_EXEC_KEEP", "kept", 1);
	fx_init(&f, "printf '%s %s %s' \"\\$WATCHFOR_1\" "
	    "\"\\$TEST_ACTION_EXEC_KEEP\" \"\\$(cat | wc -c)\"; x=$1; "
	    "ls /proc/self/fd",
	    false, "/^(.*)$/", "new");
	exec_cmd_build(f.x, &f.ctx, &c);
	out = run_capture(&c);
	/* the variable replaces the inherited one; stdin is /dev/null;
	   only 0, 1, 2 and ls's own directory descriptor are open */
	assert_string_equal(out, "new kept 00\n1\n2\n3\n");
	free(out);
	exec_cmd_clear(&c);
	fx_free(&f);
	unsetenv("WATCHFOR_1");
	unsetenv("TEST_ACTION_EXEC_KEEP");
}

static void
test_spawn_missing(void **state)
{
	struct fixture f;
	struct exec_cmd c;

	(void)state;
	fx_init(&f, "no-such-command-xyz arg", false, NULL, "l");
	exec_cmd_build(f.x, &f.ctx, &c);
	assert_int_equal(exec_cmd_spawn(&c, -1), -1);
	exec_cmd_clear(&c);
	fx_free(&f);
}

static void
test_escape_at(void **state)
{
	char *s;

	(void)state;
	s = exec_escape_at("a@b \\@c @_");
	assert_string_equal(s, "a\\@b \\@c \\@_");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_direct_argv),
		cmocka_unit_test(test_shell_script),
		cmocka_unit_test(test_payloads_inert),
		cmocka_unit_test(test_nested_shell_warning),
		cmocka_unit_test(test_add_arg),
		cmocka_unit_test(test_env_and_stdin),
		cmocka_unit_test(test_spawn_missing),
		cmocka_unit_test(test_escape_at),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
