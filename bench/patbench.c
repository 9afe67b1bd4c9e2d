/*
 * patbench: first-match-wins over the patterns of a swatchdog config, with
 * and without the literal prefilter, on a corpus held in memory. Checks
 * that both ways give the same first matching rule for every line, and
 * prints matched lines and lines/s (best of a few runs).
 *
 * Not built by CMake. From the project root:
 *
 *   cc -O2 -D_GNU_SOURCE -Iinclude -o build/patbench bench/patbench.c \
 *       src/pattern.c src/pattern_perl.c src/prefilter.c \
 *       src/prefilter_lits.c src/util.c src/log.c \
 *       $(pkg-config --cflags --libs libpcre2-8)
 *
 *   ../shared/tools/gen-maillog --lines 200000 --seed 1 --out /tmp/corpus.log
 *   build/patbench ../shared/bench/rules-100.conf /tmp/corpus.log
 *
 * The patterns are the text after "watchfor " on each line that starts so
 * (the benchmark rule sets have nothing else of interest). -v prints the
 * required literals found for each pattern; -n RUNS sets the repeat count.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "pattern.h"
#include "prefilter.h"
#include "util.h"

static struct pattern **pats;
static size_t npats;
static char *corpus;
static size_t corpus_len;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
load_rules(const char *path, int verbose)
{
	FILE *f;
	char *line = NULL, *err, *d;
	size_t cap = 0, off;
	ssize_t n;
	enum pattern_status st;

	if ((f = fopen(path, "r")) == NULL)
		fatal("%s", path);
	while ((n = getline(&line, &cap, f)) != -1) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (strncmp(line, "watchfor ", 9) != 0)
			continue;
		pats = xreallocarray(pats, npats + 1, sizeof(*pats));
		pats[npats] = pattern_compile(line + 9, &st, &err, &off);
		if (pats[npats] == NULL)
			fatalx("%s: %s: %s", path, line + 9, err);
		if (verbose) {
			d = prefilter_lits_describe(
			    pattern_literals(pats[npats]));
			printf("%3zu %s\n", npats, d);
			free(d);
		}
		npats++;
	}
	free(line);
	fclose(f);
}

static void
load_corpus(const char *path)
{
	struct stat st;
	ssize_t n;
	size_t off = 0;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &st) == -1)
		fatal("%s", path);
	corpus_len = (size_t)st.st_size;
	corpus = xmalloc(corpus_len + 1);
	while (off < corpus_len) {
		if ((n = read(fd, corpus + off, corpus_len - off)) <= 0)
			fatal("read %s", path);
		off += (size_t)n;
	}
	close(fd);
}

/* First matching rule per line (npats when none) into first[]. */
static size_t
run(struct prefilter *pf, uint32_t *first, size_t *nlines)
{
	const char *p = corpus, *end = corpus + corpus_len, *nl;
	const uint64_t *bits;
	size_t matched = 0, n = 0, i, len;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		len = (size_t)(nl - p);
		if (pf == NULL) {
			for (i = 0; i < npats; i++)
				if (pattern_match(pats[i], p, len, NULL) == 1)
					break;
		} else {
			bits = prefilter_scan(pf, p, len);
			for (i = prefilter_next(pf, bits, 0); i < npats;
			    i = prefilter_next(pf, bits, i + 1))
				if (pattern_match(pats[i], p, len, NULL) == 1)
					break;
		}
		if (i < npats)
			matched++;
		first[n++] = (uint32_t)i;
		p = nl + 1;
	}
	*nlines = n;
	return matched;
}

int
main(int argc, char **argv)
{
	struct prefilter *pf;
	uint32_t *a, *b;
	size_t ma = 0, mb = 0, na = 0, nb = 0, i;
	double t, best_a = 1e9, best_b = 1e9;
	int verbose = 0, runs = 3, r, c;

	log_init("patbench", false);
	while ((c = getopt(argc, argv, "n:v")) != -1) {
		if (c == 'v')
			verbose = 1;
		else if (c == 'n')
			runs = atoi(optarg);
		else
			return 2;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: patbench [-v] [-n runs] rules.conf "
		    "corpus\n");
		return 2;
	}
	load_rules(argv[optind], verbose);
	load_corpus(argv[optind + 1]);
	t = now();
	pf = prefilter_new(pats, npats);
	printf("%zu patterns, %zu without literals; prefilter built in "
	    "%.2f ms\n", npats, prefilter_nalways(pf), (now() - t) * 1e3);
	a = xcalloc(corpus_len / 2 + 1, sizeof(*a));
	b = xcalloc(corpus_len / 2 + 1, sizeof(*b));
	for (r = 0; r < runs; r++) {
		t = now();
		ma = run(NULL, a, &na);
		if (now() - t < best_a)
			best_a = now() - t;
		t = now();
		mb = run(pf, b, &nb);
		if (now() - t < best_b)
			best_b = now() - t;
	}
	if (ma != mb || na != nb || memcmp(a, b, na * sizeof(*a)) != 0) {
		for (i = 0; i < na && a[i] == b[i]; i++)
			;
		printf("MISMATCH: %zu vs %zu matched lines; first difference "
		    "at line %zu (rule %u vs %u)\n", ma, mb, i + 1, a[i], b[i]);
		return 1;
	}
	printf("%zu lines, %zu matched (identical first match per line)\n",
	    na, ma);
	printf("PCRE2 JIT, every rule: %10.0f lines/s  %7.1f MB/s\n",
	    na / best_a, corpus_len / best_a / 1e6);
	printf("with prefilter:        %10.0f lines/s  %7.1f MB/s\n",
	    nb / best_b, corpus_len / best_b / 1e6);
	prefilter_free(pf);
	for (i = 0; i < npats; i++)
		pattern_free(pats[i]);
	free(pats);
	free(a);
	free(b);
	free(corpus);
	return 0;
}
