/*
 * watchfor-http: the webhook delivery helper (webhook.h). Posts its stdin
 * as application/json to the URL it is given, with libcurl, and tells the
 * outcome by its exit status, for the outbox: 0 delivered (2xx), 69
 * (EX_UNAVAILABLE) refused for good (3xx, 4xx but 408 and 429), 75
 * (EX_TEMPFAIL) worth a retry (5xx, 408, 429, no connection, timeout, an
 * unreadable token file), 64 bad arguments. It follows no redirect and
 * speaks only http and https. The daemon spools and retries; this
 * program makes one attempt, within --timeout seconds in all.
 *
 *	WATCHFOR_HTTP_URL=URL watchfor-http [--timeout SECONDS]
 *	    [--bearer-file PATH]
 *
 * The URL comes in the environment, as it may hold a token that a
 * command line would show to every user (an URL operand, as spool files
 * of older versions have, is still taken); messages show only its
 * scheme, host and port (webhook_url.h).
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"
#include "mail_secret.h"
#include "webhook.h"
#include "webhook_url.h"

#define PROG		"watchfor-http"
#define BODY_MAX	(64u << 20)	/* bytes read from stdin */
#define REPLY_KEEP	200		/* bytes of the reply in messages */

struct reply {
	char	 text[REPLY_KEEP + 1];
	size_t	 len;
};

static void
usage(void)
{
	fprintf(stderr, "usage: %s=URL %s [--timeout SECONDS] "
	    "[--bearer-file PATH] < body.json\n", WEBHOOK_URL_ENV, PROG);
	exit(WEBHOOK_EX_USAGE);
}

/* Reads all of stdin; exits 75 on an error. */
static char *
read_body(size_t *len)
{
	char *b = NULL, *nb;
	size_t cap = 0, n = 0;
	ssize_t r;

	for (;;) {
		if (n == cap) {
			cap = cap == 0 ? 8192 : cap * 2;
			if (cap > BODY_MAX || (nb = realloc(b, cap)) == NULL) {
				fprintf(stderr, "%s: body too large\n", PROG);
				exit(WEBHOOK_EX_PERMANENT);
			}
			b = nb;
		}
		r = read(STDIN_FILENO, b + n, cap - n);
		if (r == 0)
			break;
		if (r == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: reading the body: %s\n", PROG,
			    strerror(errno));
			exit(WEBHOOK_EX_TEMPORARY);
		}
		n += (size_t)r;
	}
	*len = n;
	return b;
}

/*
 * Opens the bearer file, following links, and checks it as the daemon
 * does (mail_secret.h): a file others may read is refused for good
 * (exit 69), an unreadable one is retried (exit 75).
 */
static FILE *
bearer_open(const char *path)
{
	struct stat st;
	const char *why;
	FILE *f;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1 ||
	    fstat(fd, &st) == -1) {
		fprintf(stderr, "%s: bearer file %s: %s\n", PROG, path,
		    strerror(errno));
		exit(WEBHOOK_EX_TEMPORARY);
	}
	if ((why = mail_secret_refusal(&st)) != NULL) {
		fprintf(stderr, "%s: bearer file %s %s (mode %04o): refused; "
		    "chmod 600 it\n", PROG, path, why,
		    (unsigned)(st.st_mode & 07777));
		exit(WEBHOOK_EX_PERMANENT);
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		fprintf(stderr, "%s: bearer file %s: %s\n", PROG, path,
		    strerror(errno));
		exit(WEBHOOK_EX_TEMPORARY);
	}
	return f;
}

/* Wipes and frees a heap string that held a secret. */
static void
wipe(char *s, size_t size)
{
	if (s == NULL)
		return;
	explicit_bzero(s, size);
	free(s);
}

/* "Authorization: Bearer " and the file's first line, or exits 75. */
static char *
bearer_header(const char *path)
{
	char *line = NULL, *h;
	size_t cap = 0, i;
	ssize_t n;
	FILE *f;

	f = bearer_open(path);
	n = getline(&line, &cap, f);
	fclose(f);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
	    line[n - 1] == ' ' || line[n - 1] == '\t'))
		line[--n] = '\0';
	for (i = 0; n > 0 && i < (size_t)n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			n = -1;
	if (n <= 0) {
		fprintf(stderr, "%s: bearer file %s: no token on its first "
		    "line, or a control character in it\n", PROG, path);
		wipe(line, cap);
		exit(WEBHOOK_EX_TEMPORARY);
	}
	if (asprintf(&h, "Authorization: Bearer %s", line) == -1)
		exit(WEBHOOK_EX_TEMPORARY);
	wipe(line, cap);
	return h;
}

/* Keeps the start of the reply, printable, for messages. */
static size_t
on_reply(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t i;

	for (i = 0; i < size * n && r->len < REPLY_KEEP; i++)
		r->text[r->len++] = (unsigned char)p[i] < 0x20 ||
		    (unsigned char)p[i] >= 0x7f ? ' ' : p[i];
	r->text[r->len] = '\0';
	return size * n;
}

/* The exit status for HTTP status `code`. */
static int
status_exit(long code)
{
	if (code >= 200 && code < 300)
		return WEBHOOK_EX_OK;
	if (code == 408 || code == 429 || code >= 500)
		return WEBHOOK_EX_TEMPORARY;
	return WEBHOOK_EX_PERMANENT;
}

static int
post(const char *url, long timeout, const char *auth, const char *body,
    size_t len)
{
	char shown[WEBHOOK_URL_SHOWN_MAX];
	struct curl_slist *h = NULL, *l;
	struct reply r = { .len = 0 };
	char err[CURL_ERROR_SIZE] = "";
	long code = 0;
	CURLcode rc;
	CURL *c;
	int ex;

	webhook_url_shown(url, shown, sizeof(shown));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    (c = curl_easy_init()) == NULL) {
		fprintf(stderr, "%s: cannot start libcurl\n", PROG);
		return WEBHOOK_EX_TEMPORARY;
	}
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	if (auth != NULL)
		h = curl_slist_append(h, auth);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500	/* 7.85 */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS,
	    CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
	curl_easy_setopt(c, CURLOPT_USERAGENT, "watchfor-http/"
	    WATCHFOR_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_reply);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	if ((rc = curl_easy_perform(c)) != CURLE_OK) {
		fprintf(stderr, "%s: POST %s: %s\n", PROG, shown,
		    err[0] != '\0' ? err : curl_easy_strerror(rc));
		ex = rc == CURLE_UNSUPPORTED_PROTOCOL ||
		    rc == CURLE_URL_MALFORMAT ? WEBHOOK_EX_PERMANENT :
		    WEBHOOK_EX_TEMPORARY;
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		if ((ex = status_exit(code)) != WEBHOOK_EX_OK)
			fprintf(stderr, "%s: POST %s: HTTP %ld%s%s\n", PROG,
			    shown, code, r.len > 0 ? ": " : "", r.text);
	}
	curl_easy_cleanup(c);
	for (l = h; l != NULL; l = l->next)	/* the token's copy */
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(h);
	curl_global_cleanup();
	return ex;
}

int
main(int argc, char **argv)
{
	const char *url = getenv(WEBHOOK_URL_ENV), *bearer = NULL;
	char *auth = NULL, *body, *end;
	long timeout = WEBHOOK_TIMEOUT_S;
	size_t len;
	int i, ex;

	helper_harden();
	if (url != NULL && *url == '\0')
		url = NULL;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			timeout = strtol(argv[++i], &end, 10);
			/* older spool files: up to 300 */
			if (*end != '\0' || timeout < 1 || timeout > 300)
				usage();
			if (timeout > WEBHOOK_TIMEOUT_MAX)
				timeout = WEBHOOK_TIMEOUT_MAX;
		} else if (strcmp(argv[i], "--bearer-file") == 0 &&
		    i + 1 < argc)
			bearer = argv[++i];
		else if (argv[i][0] == '-' || url != NULL)
			usage();
		else
			url = argv[i];	/* spool files of older versions */
	}
	if (url == NULL)
		usage();
	if (bearer != NULL)
		auth = bearer_header(bearer);
	body = read_body(&len);
	helper_arm_deadline(PROG, (unsigned)timeout,
	    WEBHOOK_EX_TEMPORARY);
	ex = post(url, timeout, auth, body != NULL ? body : "", len);
	free(body);
	if (auth != NULL)
		wipe(auth, strlen(auth));
	return ex;
}
