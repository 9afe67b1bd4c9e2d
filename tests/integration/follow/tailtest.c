/*
 * Test driver for the file follower: follows the files named on the
 * command line and prints each delivered line on stdout, flushed.
 *
 *	tailtest [-p] [-v] [-F] [-N] [-P poll_ms] [-q quiet_ms] [-m max_line]
 *	    [-c commit_ms] [-s state_dir] [-r ready_file] [-d usec]
 *	    [-B block_file] file...
 *
 * -p polls (no inotify); -F prefixes flagged lines with "[U] " or "[T] ";
 * -N prefixes each line with its configured path and a tab; -d sleeps
 * that long per line and -B while block_file exists, before each line
 * (a slow or blocked action, all in the loop's thread; block_file.hit is
 * created when it blocks). "ready" goes
 * to stderr (and ready_file is created) once every watch is in place.
 * TERM/INT save the state and exit 0; USR1 logs the counters.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "state.h"
#include "tail.h"

static bool show_flags, show_path;
static useconds_t line_delay;
static const char *block_file;

static void
on_line(const char *line, size_t len, const char *path, unsigned flags,
    void *arg)
{
	(void)arg;
	if (block_file != NULL && access(block_file, F_OK) == 0) {
		char hit[4096];
		FILE *h;

		/* block_file.hit: the test knows we are blocked */
		(void)snprintf(hit, sizeof(hit), "%s.hit", block_file);
		if ((h = fopen(hit, "w")) != NULL)
			fclose(h);
		while (access(block_file, F_OK) == 0)
			usleep(10000);
	}
	if (line_delay > 0)
		usleep(line_delay);
	if (show_path)
		printf("%s\t", path);
	if (show_flags && (flags & TAIL_LINE_UNTERMINATED))
		fputs("[U] ", stdout);
	if (show_flags && (flags & TAIL_LINE_TRUNCATED))
		fputs("[T] ", stdout);
	fwrite(line, 1, len, stdout);
	putchar('\n');
	fflush(stdout);
}

static void
on_usr1(int signo, void *arg)
{
	(void)signo;
	tail_log_stats(arg);
}

int
main(int argc, char **argv)
{
	struct tail_params p = { 0 };
	struct state *st = NULL;
	const char *statedir = NULL, *ready = NULL;
	struct loop *lp;
	struct tail *t;
	FILE *f;
	int ch, i;

	log_init("tailtest", false);
	while ((ch = getopt(argc, argv, "pvFNP:q:m:c:s:r:d:B:")) != -1) {
		switch (ch) {
		case 'p': p.poll = true; break;
		case 'v': p.verbose = true; break;
		case 'F': show_flags = true; break;
		case 'N': show_path = true; break;
		case 'P': p.poll_ms = (unsigned)atoi(optarg); break;
		case 'q': p.quiet_ms = (unsigned)atoi(optarg); break;
		case 'm': p.max_line = (size_t)atol(optarg); break;
		case 'c': p.commit_ms = (unsigned)atoi(optarg); break;
		case 's': statedir = optarg; break;
		case 'r': ready = optarg; break;
		case 'd': line_delay = (useconds_t)atol(optarg); break;
		case 'B': block_file = optarg; break;
		default:
			fprintf(stderr, "usage: tailtest [-pvFN] [-P ms] [-q ms] "
			    "[-m max] [-c ms] [-s dir] [-r file] [-d us] "
			    "[-B file] file...\n");
			return 2;
		}
	}
	if (optind >= argc)
		return 2;
	lp = loop_new();
	if (statedir != NULL && (st = state_open(statedir, "offsets")) == NULL)
		return 1;
	p.state = st;
	t = tail_new(lp, &p, on_line, NULL);
	for (i = optind; i < argc; i++)
		tail_add(t, argv[i]);
	loop_signal(lp, SIGUSR1, on_usr1, t);
	fprintf(stderr, "ready\n");
	if (ready != NULL && (f = fopen(ready, "w")) != NULL)
		fclose(f);
	loop_run(lp);
	tail_free(t);
	state_free(st);
	loop_free(lp);
	return 0;
}
