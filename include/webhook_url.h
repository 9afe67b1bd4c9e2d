#ifndef WATCHFOR_WEBHOOK_URL_H
#define WATCHFOR_WEBHOOK_URL_H

#include <stdio.h>
#include <string.h>

/*
 * A webhook URL is a credential: Slack, Teams and Discord put the token
 * in its path. The daemon hands it to watchfor-http in the environment
 * (WEBHOOK_URL_ENV), never on a command line, and every message, command
 * text and spool "rcpt" line shows only webhook_url_shown's form.
 * Header-only, so that watchfor-http, which links nothing of the daemon,
 * says the same.
 */

/* The variable that carries the URL to watchfor-http. */
#define WEBHOOK_URL_ENV		"WATCHFOR_HTTP_URL"
/* Size enough for webhook_url_shown of any sane URL. */
#define WEBHOOK_URL_SHOWN_MAX	320

/*
 * Pure: writes to `out` (`size` bytes, NUL-terminated, cut if need be)
 * what may be shown of `url`: "SCHEME://HOST[:PORT]", then "/..." when
 * the URL goes on with a path, query or fragment; userinfo (user:pass@)
 * is dropped. Text with no "://" shows as "(not a URL)".
 */
/* Appends `n` bytes of `s` to the string `out`, cut to `size`. */
static inline void
webhook_url_cat(char *out, size_t size, const char *s, size_t n)
{
	size_t len = strlen(out);

	if (len + n >= size)
		n = size - 1 - len;
	memcpy(out + len, s, n);
	out[len + n] = '\0';
}

static inline void
webhook_url_shown(const char *url, char *out, size_t size)
{
	const char *sep = strstr(url, "://"), *auth, *end, *p;

	if (size == 0)
		return;
	if (sep == NULL || sep == url || strcspn(url, "/?#@") <
	    (size_t)(sep - url)) {
		(void)snprintf(out, size, "(not a URL)");
		return;
	}
	auth = sep + 3;
	end = auth + strcspn(auth, "/?#");
	for (p = auth; p < end; p++)
		if (*p == '@')
			auth = p + 1;
	out[0] = '\0';
	webhook_url_cat(out, size, url, (size_t)(sep - url));
	webhook_url_cat(out, size, "://", 3);
	webhook_url_cat(out, size, auth, (size_t)(end - auth));
	if (*end != '\0')
		webhook_url_cat(out, size, "/...", 4);
}

#endif
