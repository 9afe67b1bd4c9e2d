/*
 * The throttle digests at run time and the throttle state across
 * reloads and restarts: the one timer that closes due digests, the
 * summaries handed to the rules' actions (action.c runs them), the move
 * of state to a reloaded config, and the state files (throttle_state.c
 * frames them; the mail cap's pending digest is action_mail.c's).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "action.h"
#include "action_mail.h"
#include "action_priv.h"
#include "config.h"
#include "digest.h"
#include "log.h"
#include "loop.h"
#include "throttle.h"
#include "throttle_state.h"
#include "util.h"

#define THROTTLE_MAGIC		"watchfor-throttle 1"
#define DIGESTS_MAGIC		"watchfor-digests 1"
#define THROTTLE_SAVE_MS	(30ULL * 1000)	/* records saved at most */

static struct loop_timer *dtimer;

/* The state files, when a state directory is in use. */
static char	*records_path, *digests_path;
static struct buf last_digests;		/* payload written last */
static bool	 digests_written;
static uint64_t	 saved_gen, saved_at;	/* records: generation, loop ms */

static struct rule *
find_rule(struct config *cfg, uint64_t owner)
{
	size_t i;

	for (i = 0; cfg != NULL && i < cfg->nrules; i++)
		if (action_rule_owner(&cfg->rules[i]) == owner)
			return &cfg->rules[i];
	return NULL;
}

/* A closed digest: its summary runs with the rule of `arg` (a config). */
static void
run_closed(const struct throttle_digest *td, void *arg)
{
	struct rule *r;

	if ((r = find_rule(arg, td->owner)) == NULL) {
		log_warnx("throttle digest: %llu folded lines of a rule no "
		    "longer in the config are dropped",
		    (unsigned long long)digest_count(td->dg));
		return;
	}
	action_run_digest(r, td);
}

void
action_digest_tick(void)
{
	struct throttle *t = action_throttles();

	if (t == NULL || throttle_digests(t) == 0)
		return;
	(void)throttle_digest_close(t, action_now(), false, run_closed,
	    action_config());
}

/* Milliseconds from now to the wall-clock second `when`. */
static uint64_t
ms_until(time_t when)
{
	struct timespec ts;
	long long ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms = ((long long)when - (long long)ts.tv_sec) * 1000 -
	    ts.tv_nsec / 1000000;
	return ms > 0 ? (uint64_t)ms : 0;
}

void
action_digest_arm(void)
{
	struct throttle *t = action_throttles();
	time_t when;

	if (dtimer == NULL)
		return;
	if (t == NULL || (when = throttle_digest_deadline(t)) == 0) {
		loop_timer_disarm(dtimer);
		return;
	}
	loop_timer_arm(dtimer, ms_until(when), 0);
}

static void
on_timer(void *arg)
{
	(void)arg;
	action_digest_tick();
	action_digest_arm();
}

void
actions_set_loop(struct loop *lp)
{
	loop_timer_free(dtimer);
	dtimer = lp != NULL ? loop_timer_new(lp, on_timer, NULL) : NULL;
	action_digest_arm();
}

void
actions_flush_digests(void)
{
	struct throttle *t = action_throttles();

	if (t != NULL && throttle_digests(t) > 0)
		(void)throttle_digest_close(t, 0, true, run_closed,
		    action_config());
	if (dtimer != NULL)
		loop_timer_disarm(dtimer);
}

static bool
owner_in(uint64_t owner, void *arg)
{
	return find_rule(arg, owner) != NULL;
}

/* A reload: what is kept is the new config's, what closes the old's. */
struct reload_ctx {
	struct config	*old, *new;
};

static bool
reload_keep(uint64_t owner, void *arg)
{
	return owner_in(owner, ((struct reload_ctx *)arg)->new);
}

static void
reload_close(const struct throttle_digest *td, void *arg)
{
	run_closed(td, ((struct reload_ctx *)arg)->old);
}

void
actions_reload(struct config *old, struct config *new)
{
	struct throttle *t = action_throttles();
	struct reload_ctx rc = { old, new };

	/* digests of changed rules close with the old rules' actions */
	if (t != NULL)
		throttle_retain(t, reload_keep, reload_close, &rc);
	action_set_config(new);
	action_digest_arm();
}

/* Decodes the digests file: "throttle LEN\n" BYTES, then the mail cap's. */
static void
load_digests(struct throttle *t, const struct buf *b)
{
	const char *p = b->data, *end = b->data + b->len;
	uint64_t len, lost;
	long n;

	if (b->len == 0)
		return;
	if ((size_t)(end - p) < 9 || memcmp(p, "throttle ", 9) != 0 ||
	    (p += 9, !digest_get_num(&p, end, &len, '\n')) ||
	    len > (uint64_t)(end - p))
		goto bad;
	if ((n = throttle_decode(t, p, (size_t)len, owner_in, action_config(),
	    &lost)) == -1)
		goto bad;
	if (n > 0)
		log_info("throttle digests: %ld open from the last run", n);
	if (lost > 0)
		log_warnx("throttle digests: %llu folded lines of rules that "
		    "changed since the last run are dropped",
		    (unsigned long long)lost);
	p += len;
	if (p < end && mail_cap_decode(&p, end) == -1)
		goto bad;
	if (p != end)
		goto bad;
	return;
bad:
	log_warnx("state %s: malformed, the rest is ignored", digests_path);
}

void
actions_state_open(const char *dir, const char *base)
{
	struct throttle *t = action_throttles();
	struct buf b = { 0 };
	uint64_t lost;

	actions_state_close();
	if (dir == NULL || t == NULL)
		return;
	records_path = xasprintf("%s/%s.throttle", dir, base);
	digests_path = xasprintf("%s/%s.digests", dir, base);
	if (throttle_state_read(records_path, THROTTLE_MAGIC, &b) == 1 &&
	    throttle_decode(t, b.data, b.len, owner_in, action_config(),
	    &lost) == -1)
		log_warnx("state %s: malformed, the rest is ignored",
		    records_path);
	if (throttle_state_read(digests_path, DIGESTS_MAGIC, &b) == 1)
		load_digests(t, &b);
	buf_free(&b);
	saved_gen = throttle_generation(t);
	saved_at = loop_now();
	action_digest_arm();
}

static uint64_t
save_interval(void)
{
	const char *s = getenv("WATCHFOR_TEST_THROTTLE_SAVE_MS");
	unsigned long long v;
	char *end;

	if (s == NULL || *s == '\0')
		return THROTTLE_SAVE_MS;
	errno = 0;
	v = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' ? v : THROTTLE_SAVE_MS;
}

/*
 * Writes the digests file if its payload changed. Returns -1 when that
 * failed while something is folded (an open digest, the cap's pending
 * one), else 0: an empty payload not written loses nothing.
 */
static int
save_digests(struct throttle *t)
{
	struct buf body = { 0 }, b = { 0 };
	size_t head;
	int rc = 0;

	throttle_encode(t, THROTTLE_ENC_DIGESTS, &body);
	buf_addf(&b, "throttle %zu\n", body.len);
	buf_add(&b, body.data, body.len);
	head = b.len;
	mail_cap_encode(&b);
	if (!digests_written || b.len != last_digests.len ||
	    memcmp(b.data, last_digests.data, b.len) != 0) {
		if (throttle_state_write(digests_path, DIGESTS_MAGIC, b.data,
		    b.len) == 0) {
			buf_reset(&last_digests);
			buf_add(&last_digests, b.data, b.len);
			digests_written = true;
		} else if (body.len > 0 || b.len > head)
			rc = -1;
	}
	buf_free(&body);
	buf_free(&b);
	return rc;
}

int
actions_state_commit(bool final)
{
	struct throttle *t = action_throttles();
	struct buf b = { 0 };
	uint64_t now = loop_now();
	int rc;

	if (records_path == NULL || t == NULL)
		return 0;
	rc = save_digests(t);
	if (throttle_generation(t) == saved_gen ||
	    (!final && now - saved_at < save_interval()))
		return rc;
	throttle_encode(t, THROTTLE_ENC_RECORDS, &b);
	if (throttle_state_write(records_path, THROTTLE_MAGIC, b.data,
	    b.len) == 0) {
		saved_gen = throttle_generation(t);
		saved_at = now;
	}
	buf_free(&b);
	return rc;
}

void
actions_state_close(void)
{
	if (records_path != NULL)
		(void)actions_state_commit(true);
	free(records_path);
	free(digests_path);
	records_path = digests_path = NULL;
	buf_free(&last_digests);
	digests_written = false;
}
