/*
 * The held webhook of the global cap (webhook_cap.h): keeps the command
 * of the first webhook folded in a window, spools the window's summary
 * to it, and saves and restores it for the state directory. The body is
 * webhook_json.c's, the counts the cap's (mailcap.c), the timing the
 * mail action's (action_mail.c), the delivery the outbox's.
 */
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "exec_cmd.h"
#include "log.h"
#include "outbox.h"
#include "util.h"
#include "webhook.h"
#include "webhook_cap.h"

#define MAX_ARGS	64	/* watchfor-http takes 6 */

static struct exec_cmd hold_cmd;
static char *hold_text, *hold_url;
static enum webhook_mode hold_mode;
static bool held;

void
webhook_cap_hold(struct exec_cmd *c, const char *cmdtext, const char *url,
    int mode)
{
	if (held) {
		exec_cmd_clear(c);
		return;
	}
	hold_cmd = *c;
	memset(c, 0, sizeof(*c));
	hold_text = xstrdup(cmdtext);
	hold_url = xstrdup(url);
	hold_mode = mode == WEBHOOK_ALERTMANAGER ? WEBHOOK_ALERTMANAGER :
	    WEBHOOK_JSON;
	held = true;
}

bool
webhook_cap_held(void)
{
	return held;
}

const char *
webhook_cap_url(void)
{
	return held ? hold_url : NULL;
}

void
webhook_cap_forget(void)
{
	if (!held)
		return;
	exec_cmd_clear(&hold_cmd);
	free(hold_text);
	free(hold_url);
	hold_text = hold_url = NULL;
	held = false;
}

int
webhook_cap_post(struct outbox *ob, const struct webhook_digest *d)
{
	struct buf body = { 0 };
	int rc = -1;

	if (!held)
		return -1;
	webhook_digest_body(hold_mode, d, &body);
	if (ob != NULL && outbox_add_helper(ob, "webhook", &hold_cmd,
	    hold_text, hold_url, body.data, body.len) == 0)
		rc = 0;
	else
		log_warnx("webhook: the summary of %llu folded webhooks to %s "
		    "is lost", (unsigned long long)d->count, hold_url);
	buf_free(&body);
	webhook_cap_forget();
	return rc;
}

void
webhook_cap_encode(struct buf *out)
{
	size_t i;

	if (!held)
		return;
	buf_adds(out, "caphook ");
	digest_put_num(out, (uint64_t)hold_mode, ' ');
	digest_put_num(out, hold_cmd.argc, ' ');
	digest_put_num(out, hold_cmd.nvars, '\n');
	for (i = 0; i < hold_cmd.argc; i++)
		digest_put_str(out, hold_cmd.argv[i],
		    strlen(hold_cmd.argv[i]));
	for (i = 0; i < hold_cmd.nvars; i++)
		digest_put_str(out, hold_cmd.vars[i],
		    strlen(hold_cmd.vars[i]));
	digest_put_str(out, hold_text, strlen(hold_text));
	digest_put_str(out, hold_url, strlen(hold_url));
}

static bool
decode_argv(const char **p, const char *end, uint64_t argc, uint64_t nvars,
    struct exec_cmd *c)
{
	uint64_t i;

	memset(c, 0, sizeof(*c));
	c->argv = xcalloc(argc + 1, sizeof(*c->argv));
	for (i = 0; i < argc; i++, c->argc++)
		if ((c->argv[i] = digest_get_cstr(p, end)) == NULL)
			return false;
	c->file = xstrdup(c->argv[0]);
	c->vars = xcalloc(nvars + 1, sizeof(*c->vars));
	for (i = 0; i < nvars; i++, c->nvars++)
		if ((c->vars[i] = digest_get_cstr(p, end)) == NULL)
			return false;
	return true;
}

/*
 * "MODE ARGC NVARS\n", or "MODE ARGC\n" as written before the URL went
 * to the environment (then no variable).
 */
static bool
decode_counts(const char **p, const char *end, uint64_t *mode,
    uint64_t *argc, uint64_t *nvars)
{
	const char *q = *p;

	*nvars = 0;
	if (!digest_get_num(&q, end, mode, ' '))
		return false;
	if (!digest_get_num(&q, end, argc, '\n')) {
		q = *p;
		if (!digest_get_num(&q, end, mode, ' ') ||
		    !digest_get_num(&q, end, argc, ' ') ||
		    !digest_get_num(&q, end, nvars, '\n'))
			return false;
	}
	*p = q;
	return *mode <= WEBHOOK_ALERTMANAGER && *argc > 0 &&
	    *argc <= MAX_ARGS && *nvars <= MAX_ARGS;
}

int
webhook_cap_decode(const char **p, const char *end)
{
	struct exec_cmd c = { 0 };
	const char *q = *p;
	char *text = NULL, *url = NULL;
	uint64_t mode, argc, nvars;

	if (held || (size_t)(end - q) < 8 || memcmp(q, "caphook ", 8) != 0)
		return -1;
	q += 8;
	if (!decode_counts(&q, end, &mode, &argc, &nvars) ||
	    !decode_argv(&q, end, argc, nvars, &c) ||
	    (text = digest_get_cstr(&q, end)) == NULL ||
	    (url = digest_get_cstr(&q, end)) == NULL) {
		exec_cmd_clear(&c);
		free(text);
		free(url);
		return -1;
	}
	webhook_cap_hold(&c, text, url, (int)mode);
	free(text);
	free(url);
	*p = q;
	return 0;
}
