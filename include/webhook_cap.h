#ifndef WATCHFOR_WEBHOOK_CAP_H
#define WATCHFOR_WEBHOOK_CAP_H

#include <stdbool.h>

/*
 * The webhook summary of the global cap (issue 4 item 5, "#% mail-cap"):
 * the first webhook folded in a window is held (its helper command, URL
 * and mode); when the window closes one summary of every webhook folded
 * in it, whatever their URLs, is posted to that webhook. The window and
 * its counts are the cap's (mailcap.h); when to post is the mail
 * action's (action_mail.c). Follow mode only.
 */

struct buf;
struct exec_cmd;
struct outbox;
struct webhook_digest;

/*
 * Holds the command `c` (taken: cleared for the caller; the URL is in
 * its environment, webhook_url.h) of a folded webhook, its text
 * `cmdtext`, its `url` as shown in messages (webhook_url_shown) and mode
 * (enum webhook_mode), unless one is held already (then `c` is cleared
 * only).
 */
void		 webhook_cap_hold(struct exec_cmd *c, const char *cmdtext,
		    const char *url, int mode);
bool		 webhook_cap_held(void);
/* The shown URL of the held webhook, NULL when none is held. */
const char	*webhook_cap_url(void);
/*
 * Spools the summary of `d` in the held webhook's mode to its URL
 * through `ob` (kind "webhook", the helper's exit 69 permanent; not
 * offered to the cap) and forgets it. Returns 0, or -1 (logged) when
 * nothing was held or spooling failed.
 */
int		 webhook_cap_post(struct outbox *ob,
		    const struct webhook_digest *d);
/* Forgets the held webhook. */
void		 webhook_cap_forget(void);
/*
 * The held webhook for the state directory (a 0600 file: the URL is in
 * its variables): "caphook MODE ARGC NVARS\n", the argv (argv[0] is the
 * program), the variables ("NAME=value"), the command text and the
 * shown URL (each digest_put_str); nothing when none is held.
 * webhook_cap_decode takes it back from *p (advanced), also the older
 * "caphook MODE ARGC\n" with no variable: 0, or -1 when malformed or
 * one is held.
 */
void		 webhook_cap_encode(struct buf *out);
int		 webhook_cap_decode(const char **p, const char *end);

#endif
