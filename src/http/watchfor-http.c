/*
 * watchfor-http: the webhook delivery helper (webhook.h). Posts its stdin
 * as application/json to the URL it is given, with libcurl, and tells the
 * outcome by its exit status, for the outbox: 0 delivered (2xx), 69
 * (EX_UNAVAILABLE) refused for good (3xx, 4xx but 408 and 429), 75
 * (EX_TEMPFAIL) worth a retry (5xx, 408, 429, no connection, timeout, an
 * unreadable token file), 64 bad arguments. It follows no redirect and
 * speaks only http and https. The daemon spools and retries; this
 * program makes one attempt.
 *
 *	watchfor-http [--timeout SECONDS] [--bearer-file PATH] URL
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "webhook.h"

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
	fprintf(stderr, "usage: %s [--timeout SECONDS] [--bearer-file PATH] "
	    "URL < body.json\n", PROG);
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

/* "Authorization: Bearer " and the file's first line, or exits 75. */
static char *
bearer_header(const char *path)
{
	char *line = NULL, *h;
	size_t cap = 0, i;
	ssize_t n;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		fprintf(stderr, "%s: bearer file %s: %s\n", PROG, path,
		    strerror(errno));
		exit(WEBHOOK_EX_TEMPORARY);
	}
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
		free(line);
		exit(WEBHOOK_EX_TEMPORARY);
	}
	if (asprintf(&h, "Authorization: Bearer %s", line) == -1)
		exit(WEBHOOK_EX_TEMPORARY);
	free(line);
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
	struct curl_slist *h = NULL;
	struct reply r = { .len = 0 };
	char err[CURL_ERROR_SIZE] = "";
	long code = 0;
	CURLcode rc;
	CURL *c;
	int ex;

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
		fprintf(stderr, "%s: POST %s: %s\n", PROG, url,
		    err[0] != '\0' ? err : curl_easy_strerror(rc));
		ex = rc == CURLE_UNSUPPORTED_PROTOCOL ||
		    rc == CURLE_URL_MALFORMAT ? WEBHOOK_EX_PERMANENT :
		    WEBHOOK_EX_TEMPORARY;
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		if ((ex = status_exit(code)) != WEBHOOK_EX_OK)
			fprintf(stderr, "%s: POST %s: HTTP %ld%s%s\n", PROG,
			    url, code, r.len > 0 ? ": " : "", r.text);
	}
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	curl_global_cleanup();
	return ex;
}

int
main(int argc, char **argv)
{
	const char *url = NULL, *bearer = NULL;
	char *auth = NULL, *body, *end;
	long timeout = WEBHOOK_TIMEOUT_S;
	size_t len;
	int i, ex;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			timeout = strtol(argv[++i], &end, 10);
			if (*end != '\0' || timeout < 1 ||
			    timeout > WEBHOOK_TIMEOUT_MAX)
				usage();
		} else if (strcmp(argv[i], "--bearer-file") == 0 &&
		    i + 1 < argc)
			bearer = argv[++i];
		else if (argv[i][0] == '-' || url != NULL)
			usage();
		else
			url = argv[i];
	}
	if (url == NULL)
		usage();
	if (bearer != NULL)
		auth = bearer_header(bearer);
	body = read_body(&len);
	ex = post(url, timeout, auth, body != NULL ? body : "", len);
	free(body);
	free(auth);
	return ex;
}
