#!/bin/bash
# Fault cases, each confined to the follower's own process: S19 inotify
# resources exhausted (a user namespace with its own lowered inotify
# limits), S20 a filesystem inotify cannot serve (an LD_PRELOAD shim makes
# fstatfs report FUSE), S28 a permission race at rotation (the follower
# without CAP_DAC_OVERRIDE, the new file first unreadable).
. "$(dirname "$0")/follow/lib.sh"

# rotations: S01's pattern, fast, with a generation never opened.
rotations() {
	: > log
	start log
	w log a-1 a-2
	mv log log.1
	w log b-1
	mv log log.2
	w log c-1 c-2
	wait_for 'grep -q c-2 out'
	mv log log.3
	: > log
	w log d-1
	check
}

# userns LIMIT VALUE: TTWRAP that runs tailtest in a new user namespace
# whose LIMIT (/proc/sys/user/max_inotify_*) is VALUE.
userns() {
	TTWRAP=(unshare --user --map-root-user sh -c
	    "echo $2 > /proc/sys/user/$1 && exec \"\$0\" \"\$@\"")
}

s19_instances() {
	new_case s19_no_instances
	userns max_inotify_instances 0
	rotations
	if [ "$MODE" = inotify ]; then
		grep -q "inotify_init1, falling back to polling: Too many open files" err ||
		    fail "the fallback to polling was not logged"
	fi
	TTWRAP=()
}

s19_watches() {
	new_case s19_one_watch
	# the directory watch succeeds, every file watch fails (ENOSPC)
	userns max_inotify_watches 1
	rotations
	if [ "$MODE" = inotify ]; then
		grep -q "log: inotify watch, polling this file: No space left on device" err ||
		    fail "the per-file fallback was not logged"
	fi
	TTWRAP=()
}

s20() {
	new_case s20_remote_fs
	cc -shared -fPIC -o "$ROOT/fusefs.so" -x c - -ldl <<'C' ||
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/vfs.h>
/* Every filesystem is FUSE. */
int
fstatfs(int fd, struct statfs *b)
{
	int (*real)(int, struct statfs *) =
	    (int (*)(int, struct statfs *))dlsym(RTLD_NEXT, "fstatfs");
	int r = real(fd, b);

	if (r == 0)
		b->f_type = 0x65735546;
	return r;
}
int
fstatfs64(int fd, struct statfs64 *b)
{
	int (*real)(int, struct statfs64 *) =
	    (int (*)(int, struct statfs64 *))dlsym(RTLD_NEXT, "fstatfs64");
	int r = real(fd, b);

	if (r == 0)
		b->f_type = 0x65735546;
	return r;
}
C
	    fail "cannot build the shim"
	TTWRAP=(env LD_PRELOAD="$ROOT/fusefs.so" ASAN_OPTIONS=verify_asan_link_order=0)
	rotations
	if [ "$MODE" = inotify ]; then
		grep -q "log: remote filesystem (type 0x65735546), polling" err ||
		    fail "the remote filesystem was not named"
	fi
	TTWRAP=()
}

s28() {
	new_case s28_permissions
	: > log
	TTWRAP=(setpriv --inh-caps=-dac_override,-dac_read_search
	    --bounding-set=-dac_override,-dac_read_search)
	start log
	w log a-1
	wait_for 'grep -q a-1 out'
	# made unreadable first, then put at the name (install alone
	# would leave a moment where root owns it)
	install -m 0600 -o nobody /dev/null new
	mv log log.1
	mv new log
	w log b-1 b-2		# unreadable for now
	wait_for 'grep -q "cannot open log: Permission denied" err' ||
	    fail "EACCES not logged"
	w log b-3
	chmod 0644 log		# IN_ATTRIB (or the next poll): read from 0
	check
	[ "$(grep -c 'Permission denied' err)" = 1 ] ||
	    fail "EACCES logged more than once"
	TTWRAP=()
}

if ! unshare --user --map-root-user sh -c \
    'echo 0 > /proc/sys/user/max_inotify_instances' 2>/dev/null; then
	echo "skip S19: no user namespaces with writable inotify limits here"
else
	run_both s19_instances
	run_both s19_watches
fi
run_both s20
if [ "$(id -u)" != 0 ] || ! command -v setpriv > /dev/null; then
	echo "skip S28: needs root and setpriv (to drop CAP_DAC_OVERRIDE)"
else
	run_both s28
fi
