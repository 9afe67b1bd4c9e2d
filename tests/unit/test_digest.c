/*
 * Digests (digest.c), the throttle's digest mode and its text form
 * (throttle.c), and the state files (throttle_state.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "log.h"
#include "throttle.h"
#include "throttle_state.h"
#include "util.h"

static void
test_accumulate(void **state)
{
	struct digest *dg;
	char line[2000];
	size_t len, i;

	(void)state;
	dg = digest_new(3);
	assert_int_equal(digest_count(dg), 0);
	digest_add(dg, "one\n", 4, 100);
	digest_add(dg, "two", 3, 105);
	memset(line, 'x', sizeof(line));
	digest_add(dg, line, sizeof(line), 106);
	digest_add(dg, "four", 4, 110);
	assert_int_equal(digest_count(dg), 4);
	assert_int_equal(digest_first(dg), 100);
	assert_int_equal(digest_last(dg), 110);
	assert_int_equal(digest_nsample(dg), 3);
	assert_string_equal(digest_sample(dg, 0, &len), "one");
	assert_int_equal(len, 3);
	(void)digest_sample(dg, 2, &len);
	assert_int_equal(len, DIGEST_LINE_MAX);
	digest_free(dg);

	/* bytes-bounded: 100 lines of DIGEST_LINE_MAX fit DIGEST_BYTES_MAX */
	dg = digest_new(DIGEST_SAMPLE_MAX);
	for (i = 0; i < 100; i++)
		digest_add(dg, line, sizeof(line), (time_t)i);
	assert_int_equal(digest_count(dg), 100);
	assert_int_equal(digest_nsample(dg), DIGEST_BYTES_MAX /
	    DIGEST_LINE_MAX);
	digest_free(dg);
}

static void
test_texts(void **state)
{
	struct buf s = { 0 }, subj = { 0 }, body = { 0 };
	struct digest *dg;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	dg = digest_new(1);
	digest_add(dg, "a\tb\x01", 4, 1795000000);
	digest_add(dg, "second", 6, 1795000060);
	digest_summary(dg, "f.conf:3", &s);
	buf_addc(&s, '\0');
	assert_string_equal(s.data, "[digest] 2 more lines for rule f.conf:3 "
	    "from 2026-11-18T11:06:40Z to 2026-11-18T11:07:40Z, first: a?b?");
	digest_mail(dg, "f.conf:3", &subj, &body);
	buf_addc(&subj, '\0');
	buf_addc(&body, '\0');
	assert_string_equal(subj.data, "[digest] 2 more lines for rule "
	    "f.conf:3");
	assert_string_equal(body.data, "Rule f.conf:3 matched 2 more lines "
	    "within its throttle window.\nCount: 2\n"
	    "First: 2026-11-18T11:06:40Z\nLast:  2026-11-18T11:07:40Z\n"
	    "Sampled lines (1 of 2):\n  a?b?\n  ... and 1 more\n");
	buf_reset(&s);
	setenv("TZ", "CET-1", 1);
	tzset();
	digest_rfc3339(0, &s);
	buf_addc(&s, '\0');
	assert_string_equal(s.data, "1970-01-01T01:00:00+01:00");
	setenv("TZ", "UTC", 1);
	tzset();
	digest_free(dg);
	buf_free(&s);
	buf_free(&subj);
	buf_free(&body);
}

static void
test_encode_roundtrip(void **state)
{
	struct buf b = { 0 }, b2 = { 0 };
	struct digest *dg, *back;
	const char *p;
	size_t i, len;

	(void)state;
	dg = digest_new(5);
	digest_add(dg, "with\nnewline:and 12:colons", 26, 7);
	digest_add(dg, "", 0, 8);
	digest_add(dg, "x\0y", 3, 9);
	digest_encode(dg, &b);
	p = b.data;
	back = digest_decode(&p, b.data + b.len);
	assert_non_null(back);
	assert_ptr_equal(p, b.data + b.len);
	assert_int_equal(digest_count(back), 3);
	assert_int_equal(digest_first(back), 7);
	assert_int_equal(digest_last(back), 9);
	assert_int_equal(digest_nsample(back), 3);
	assert_memory_equal(digest_sample(back, 2, &len), "x\0y", 3);
	assert_int_equal(len, 3);
	digest_encode(back, &b2);
	assert_int_equal(b.len, b2.len);
	assert_memory_equal(b.data, b2.data, b.len);
	/* every truncation is refused, and more samples than the count */
	for (i = 0; i < b.len; i++) {
		p = b.data;
		assert_null(digest_decode(&p, b.data + i));
	}
	p = "digest 5 1 0 0 2\n1:a\n1:b\n";
	assert_null(digest_decode(&p, p + strlen(p)));
	p = "digest 500 1 0 0 0\n";
	assert_null(digest_decode(&p, p + strlen(p)));
	digest_free(dg);
	digest_free(back);
	buf_free(&b);
	buf_free(&b2);
}

static void
test_directive(void **state)
{
	unsigned n;
	char *err;

	(void)state;
	assert_int_equal(digest_parse_directive("on", &n, &err), 0);
	assert_int_equal(n, DIGEST_SAMPLE_DEFAULT);
	assert_int_equal(digest_parse_directive("sample=0", &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(digest_parse_directive("sample=100", &n, &err), 0);
	assert_int_equal(n, 100);
	assert_int_equal(digest_parse_directive("sample=101", &n, &err), -1);
	assert_non_null(err);
	free(err);
	assert_int_equal(digest_parse_directive("sample=", &n, &err), -1);
	free(err);
	assert_int_equal(digest_parse_directive("off", &n, &err), -1);
	free(err);
}

struct closed {
	char	 text[512];
	size_t	 n;
};

static void
collect(const struct throttle_digest *td, void *arg)
{
	struct closed *c = arg;
	size_t len;

	c->n++;
	(void)snprintf(c->text + strlen(c->text), sizeof(c->text) -
	    strlen(c->text), "%.*s:%llu:%lld-%lld:%s|", (int)td->klen, td->key,
	    (unsigned long long)digest_count(td->dg),
	    (long long)digest_first(td->dg), (long long)digest_last(td->dg),
	    digest_nsample(td->dg) > 0 ? digest_sample(td->dg, 0, &len) : "");
}

static bool
ev(struct throttle *t, const struct throttle_spec *sp, const char *key,
    const char *msg, time_t now)
{
	struct buf out = { 0 };
	bool r;

	r = throttle_event(t, sp, key, strlen(key), msg, strlen(msg), now,
	    &out);
	if (r)
		assert_memory_equal(out.data, msg, strlen(msg));
	buf_free(&out);
	return r;
}

static void
test_throttle_digest_mode(void **state)
{
	struct throttle_spec sp = { .has_hold = true, .hold = 10, .owner = 7,
	    .digest = true, .sample = 2 };
	struct throttle *t;
	struct closed c = { "", 0 };

	(void)state;
	t = throttle_new(100);
	assert_true(ev(t, &sp, "k", "m1", 100));	/* acts, opens */
	assert_false(ev(t, &sp, "k", "m2", 101));	/* folds */
	assert_false(ev(t, &sp, "k", "m3", 110));	/* last second in */
	assert_true(ev(t, &sp, "j", "j1", 105));	/* another key */
	assert_int_equal(throttle_digests(t), 1);
	assert_int_equal(throttle_digest_deadline(t), 111);
	assert_int_equal(throttle_digest_close(t, 110, false, collect, &c), 0);
	assert_int_equal(throttle_digest_close(t, 111, false, collect, &c), 1);
	assert_string_equal(c.text, "k:2:101-110:m2|");
	assert_int_equal(throttle_digest_deadline(t), 0);
	/* after the window, acts again; nothing folded: no summary */
	assert_true(ev(t, &sp, "k", "m4", 111));
	assert_int_equal(throttle_digests(t), 0);
	/* a late hit with the digest still open closes it at once */
	assert_false(ev(t, &sp, "k", "m5", 112));
	assert_true(ev(t, &sp, "k", "m6", 200));
	assert_int_equal(throttle_digest_deadline(t), 200);
	c.text[0] = '\0';
	assert_int_equal(throttle_digest_close(t, 200, false, collect, &c), 1);
	assert_string_equal(c.text, "k:1:112-112:m5|");
	/* force closes what is not due */
	assert_false(ev(t, &sp, "k", "m7", 201));
	assert_int_equal(throttle_digest_close(t, 0, true, collect, &c), 1);
	throttle_free(t);
}

static void
test_digest_survives_eviction(void **state)
{
	struct throttle_spec sp = { .has_hold = true, .hold = 60, .owner = 1,
	    .digest = true, .sample = 1 };
	struct throttle *t;
	struct closed c = { "", 0 };
	char key[16];
	int i;

	(void)state;
	t = throttle_new(2);
	assert_true(ev(t, &sp, "a", "a1", 0));
	assert_false(ev(t, &sp, "a", "a2", 1));
	for (i = 0; i < 5; i++) {
		(void)snprintf(key, sizeof(key), "k%d", i);
		assert_true(ev(t, &sp, key, "x", 2));
	}
	assert_int_equal(throttle_keys(t), 2);
	assert_int_equal(throttle_digests(t), 1);	/* "a" evicted, kept */
	assert_int_equal(throttle_digest_close(t, 61, false, collect, &c), 1);
	assert_string_equal(c.text, "a:1:1-1:a2|");
	throttle_free(t);
}

static bool
keep_odd(uint64_t owner, void *arg)
{
	(void)arg;
	return owner % 2 == 1;
}

static void
test_retain(void **state)
{
	struct throttle_spec a = { .has_hold = true, .hold = 60, .owner = 1,
	    .digest = true, .sample = 1 };
	struct throttle_spec b = a;
	struct throttle *t;
	struct closed c = { "", 0 };

	(void)state;
	b.owner = 2;
	t = throttle_new(100);
	assert_true(ev(t, &a, "ka", "1", 0));
	assert_false(ev(t, &a, "ka", "2", 1));
	assert_true(ev(t, &b, "kb", "1", 0));
	assert_false(ev(t, &b, "kb", "2", 1));
	throttle_retain(t, keep_odd, collect, &c);
	assert_string_equal(c.text, "kb:1:1-1:2|");	/* closed, not lost */
	assert_int_equal(throttle_keys(t), 1);
	assert_int_equal(throttle_digests(t), 1);
	assert_false(ev(t, &a, "ka", "3", 2));		/* still throttled */
	assert_true(ev(t, &b, "kb", "3", 2));		/* fresh */
	throttle_free(t);
}

static bool
keep_none(uint64_t owner, void *arg)
{
	(void)owner;
	(void)arg;
	return false;
}

static void
test_throttle_roundtrip(void **state)
{
	struct throttle_spec a = { .has_hold = true, .hold = 60, .owner = 1,
	    .digest = true, .sample = 3 };
	struct throttle_spec p = { .has_hold = true, .hold = 60, .owner = 3 };
	struct throttle_spec q = { .has_hold = true, .hold = 60, .owner = 4 };
	struct buf recs = { 0 }, dgs = { 0 }, again = { 0 };
	struct throttle *t, *u;
	struct closed c = { "", 0 };
	uint64_t lost;
	size_t i;

	(void)state;
	t = throttle_new(100);
	assert_true(ev(t, &a, "d\nkey", "1", 10));
	assert_false(ev(t, &a, "d\nkey", "two", 11));
	assert_false(ev(t, &a, "d\nkey", "three", 12));
	assert_true(ev(t, &p, "plain", "x", 10));
	assert_false(ev(t, &p, "plain", "x", 11));
	assert_true(ev(t, &q, "other", "x", 10));
	throttle_encode(t, THROTTLE_ENC_RECORDS, &recs);
	throttle_encode(t, THROTTLE_ENC_DIGESTS, &dgs);

	u = throttle_new(100);
	assert_int_equal(throttle_decode(u, recs.data, recs.len, keep_odd,
	    NULL, &lost), 2);
	assert_int_equal(throttle_decode(u, dgs.data, dgs.len, keep_odd, NULL,
	    &lost), 1);
	assert_int_equal(lost, 0);
	throttle_encode(u, THROTTLE_ENC_DIGESTS, &again);
	assert_int_equal(again.len, dgs.len);
	assert_memory_equal(again.data, dgs.data, dgs.len);
	/* the restored state behaves as the saved one */
	assert_false(ev(u, &p, "plain", "x", 20));	/* within its hold */
	assert_true(ev(u, &q, "other", "x", 20));	/* owner 4: dropped */
	assert_false(ev(u, &a, "d\nkey", "four", 13));	/* attached again */
	assert_int_equal(throttle_digests(u), 1);
	assert_int_equal(throttle_digest_close(u, 71, false, collect, &c), 1);
	assert_string_equal(c.text, "d\nkey:3:11-13:two|");
	/* a digest of a rule that is not kept counts as lost */
	assert_int_equal(throttle_decode(u, dgs.data, dgs.len, NULL, NULL,
	    &lost), 1);
	assert_int_equal(throttle_decode(u, dgs.data, dgs.len, keep_none,
	    NULL, &lost), 0);
	assert_int_equal(lost, 2);
	throttle_free(u);
	/* damage anywhere is refused, never a crash */
	for (i = 0; i + 1 < recs.len; i++) {
		u = throttle_new(100);
		(void)throttle_decode(u, recs.data, i, NULL, NULL, &lost);
		throttle_free(u);
	}
	u = throttle_new(100);
	assert_int_equal(throttle_decode(u, "rec x", 5, NULL, NULL, &lost),
	    -1);
	assert_int_equal(throttle_decode(u, "bogus\n", 6, NULL, NULL, &lost),
	    -1);
	throttle_free(u);
	throttle_free(t);
	buf_free(&recs);
	buf_free(&dgs);
	buf_free(&again);
}

static void
test_state_file(void **state)
{
	char dir[] = "/tmp/test_digest.XXXXXX", *path;
	struct buf b = { 0 };
	struct stat st;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/x.throttle", dir);
	assert_int_equal(throttle_state_read(path, "m 1", &b), 0);
	assert_int_equal(throttle_state_write(path, "m 1", "pay\0load", 8), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(throttle_state_read(path, "m 1", &b), 1);
	assert_int_equal(b.len, 8);
	assert_memory_equal(b.data, "pay\0load", 8);
	/* another magic: foreign */
	assert_int_equal(throttle_state_read(path, "m 2", &b), -1);
	/* one byte changed: corrupt */
	fp = fopen(path, "r+");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 5, SEEK_SET), 0);
	fputc('P', fp);
	fclose(fp);
	assert_int_equal(throttle_state_read(path, "m 1", &b), -1);
	/* empty payload, then truncated */
	assert_int_equal(throttle_state_write(path, "m 1", "", 0), 0);
	assert_int_equal(throttle_state_read(path, "m 1", &b), 1);
	assert_int_equal(b.len, 0);
	assert_int_equal(truncate(path, 10), 0);
	assert_int_equal(throttle_state_read(path, "m 1", &b), -1);
	unlink(path);
	rmdir(dir);
	free(path);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accumulate),
		cmocka_unit_test(test_texts),
		cmocka_unit_test(test_encode_roundtrip),
		cmocka_unit_test(test_directive),
		cmocka_unit_test(test_throttle_digest_mode),
		cmocka_unit_test(test_digest_survives_eviction),
		cmocka_unit_test(test_retain),
		cmocka_unit_test(test_throttle_roundtrip),
		cmocka_unit_test(test_state_file),
	};

	log_init("test_digest", false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
