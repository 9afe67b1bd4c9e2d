#!/bin/bash
# `cmake --install` into a DESTDIR yields a complete tree: the daemon, the
# unit with ExecStart= pointing at the installed daemon, the sysusers file,
# both man pages (they must format without warnings when man is there),
# the docs and the rule packs, which the installed daemon checks clean;
# /etc/watchfor is made but nothing is installed into it (an install never
# overwrites an admin's configs). Then `cpack -G DEB` packs the same tree.
# The build tree is the directory of the binary given as $1.
set -u
BIN=$(readlink -f "${1:?usage: t_install.sh path/to/watchfor}")
BUILD=$(dirname "$BIN")
WORK=$(mktemp -d)
FAILED=0
trap '[ "$FAILED" = 0 ] && rm -rf "$WORK"' EXIT
fail() {
	echo "FAIL [$CASE]: $*"
	FAILED=1
	exit 1
}
[ -f "$BUILD/CMakeCache.txt" ] ||
    { echo "SKIP: $BUILD is not a CMake build tree"; exit 77; }
cache() { sed -n "s/^$1:[A-Z]*=//p" "$BUILD/CMakeCache.txt"; }
PREFIX=$(cache CMAKE_INSTALL_PREFIX)
[ -n "$PREFIX" ] || PREFIX=/usr/local

CASE=install
D=$WORK/root
DESTDIR=$D cmake --install "$BUILD" >"$WORK/install.log" 2>&1 ||
    { cat "$WORK/install.log"; fail "cmake --install failed"; }
R=$D$PREFIX
DOC=$R/share/doc/watchfor
for f in bin/watchfor lib/systemd/system/watchfor@.service \
    lib/sysusers.d/watchfor.conf share/man/man8/watchfor.8 \
    share/man/man5/watchfor.conf.5 share/doc/watchfor/README.md \
    share/doc/watchfor/LICENSE share/doc/watchfor/README.systemd.md \
    share/doc/watchfor/watchfor@.service.d-relax.conf.example \
    share/doc/watchfor/examples/postfwd-rate.conf \
    share/doc/watchfor/examples/sample/mail.log; do
	[ -f "$R/$f" ] || fail "missing $PREFIX/$f"
done
[ -x "$R/bin/watchfor" ] || fail "the daemon is not executable"
# the delivery helpers, where the daemon looks for them
helpers=watchfor-smtp
[ "$(cache WATCHFOR_HTTP)" = OFF ] || helpers="$helpers watchfor-http"
LIBEXEC=$(cache CMAKE_INSTALL_LIBEXECDIR)
case ${LIBEXEC:=libexec} in
/*) ;;
*) LIBEXEC=$PREFIX/$LIBEXEC ;;
esac
for h in $helpers; do
	[ -x "$D$LIBEXEC/watchfor/$h" ] || fail "missing $LIBEXEC/watchfor/$h"
	grep -aqF "$LIBEXEC/watchfor/$h" "$R/bin/watchfor" ||
	    fail "the daemon does not look for $h in $LIBEXEC/watchfor"
done
ldd "$R/bin/watchfor" | grep -Eq 'libesmtp|libcurl|libsystemd' &&
    fail "the daemon links a library that belongs in a helper"
case $PREFIX in
/usr) etc=$D/etc/watchfor ;;
*) etc=$R/etc/watchfor ;;
esac
[ -d "$etc" ] || fail "no ${etc#$D} directory"
[ -z "$(ls -A "$etc")" ] || fail "files installed into ${etc#$D}: $(ls "$etc")"

CASE=unit
U=$R/lib/systemd/system/watchfor@.service
grep -qxF "ExecStart=$PREFIX/bin/watchfor --config-file=/etc/watchfor/%i.conf" \
    "$U" || fail "ExecStart= does not run $PREFIX/bin/watchfor: $(grep ^ExecStart "$U")"
grep -qxF "ExecStartPre=$PREFIX/bin/watchfor --check --config-file=/etc/watchfor/%i.conf" \
    "$U" || fail "ExecStartPre= does not run $PREFIX/bin/watchfor"

CASE=packs
n=0
for conf in $(find "$DOC/examples" -name '*.conf' | sort); do
	out=$("$R/bin/watchfor" --check --config-file="$conf" 2>&1) ||
	    fail "$conf does not check clean: $out"
	n=$((n + 1))
done
[ "$n" -ge 4 ] || fail "only $n rule packs installed"
"$R/bin/watchfor" --config-file="$DOC/examples/postfwd-rate.conf" \
    --examine="$DOC/examples/sample/mail.log" >"$WORK/alerts" 2>&1 ||
    fail "the installed example does not run"
grep -q 'RULE-RATE' "$WORK/alerts" || fail "the installed example printed no alert"

CASE=man
if command -v man >/dev/null && command -v groff >/dev/null; then
	for m in share/man/man8/watchfor.8 share/man/man5/watchfor.conf.5; do
		w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$R/$m" 2>&1 >/dev/null)
		[ -z "$w" ] || fail "$m: $w"
	done
else
	echo "note [man]: man or groff missing, pages not formatted"
fi

CASE=deb
if command -v cpack >/dev/null && command -v dpkg-deb >/dev/null &&
    [ -f "$BUILD/CPackConfig.cmake" ]; then
	(cd "$WORK" && cpack -G DEB --config "$BUILD/CPackConfig.cmake" \
	    -B "$WORK/pkg" >"$WORK/cpack.log" 2>&1) ||
	    { cat "$WORK/cpack.log"; fail "cpack failed"; }
	deb=$(ls "$WORK"/pkg/*.deb 2>/dev/null | head -1)
	[ -n "$deb" ] || fail "no .deb made"
	dpkg-deb -c "$deb" >"$WORK/contents" || fail "unreadable package"
	for f in bin/watchfor lib/systemd/system/watchfor@.service \
	    share/man/man8/watchfor.8; do
		grep -q "\.$PREFIX/$f\$" "$WORK/contents" ||
		    fail "$f missing from the package"
	done
	for dep in libpcre2-8 libesmtp libcurl; do
		dpkg-deb -f "$deb" Depends | grep -q "$dep" ||
		    fail "the package does not depend on $dep"
	done
else
	echo "note [deb]: cpack or dpkg-deb missing, no package made"
fi
echo "PASS: install tree under $PREFIX complete, $n rule packs check clean"
