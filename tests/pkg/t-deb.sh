#!/bin/bash
# tests/pkg/t-deb.sh (root) - the Debian packages, built, checked,
# installed, used and purged on this machine.
#
#  1. export the committed tree (git archive HEAD of $top_srcdir) and
#     build source and binary packages with dpkg-buildpackage -us -uc
#     (nocheck: the test suite runs on its own elsewhere);
#  2. lintian on the .changes: any E: or W: line fails;
#  3. apt-get install ./sixgated_*.deb ./sixgate-client_*.deb;
#  4. systemd-analyze verify on the installed unit (when installed);
#  5. debian/tests/smoke, the autopkgtest: the installed daemon, run as
#     the unit runs it, with the installed configuration moved to free
#     loopback ports, the installed PAM file and a throwaway account;
#     curl through it to a server in a network namespace (so that the
#     shipped rules, which refuse loopback destinations, stay as they
#     are), then a program through the installed sixgate wrapper;
#  6. apt-get purge: nothing of ours may remain, except the system user
#     _sixgate, which Debian leaves behind on purpose.
#
# Afterwards the machine is as it was: packages purged, dependencies the
# install pulled in purged, _sixgate removed if this test created it.
# Exit: 0 pass, 77 skip (not root, no dpkg-buildpackage, ...), 99 hard
# error, 1 failure.
set -u

T=t-deb
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${T_DEB_BUILD_TIMEOUT:=2400}"
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

step() { echo "$T: == $*"; }
info() { echo "$T:    $*"; }
skip() { echo "SKIP: $T: $*"; exit 77; }
hard() { echo "ERROR: $T: $*" >&2; exit 99; }
fail() { echo "FAIL: $T: $*" >&2; exit 1; }

# Never inside a package build (dh_auto_test of these very packages).
[ -z "${SIXGATE_T_DEB:-}" ] && [ -z "${DEB_RULES_REQUIRES_ROOT:-}" ] ||
	skip "runs inside a package build"
export SIXGATE_T_DEB=1
[ "$(id -u)" = 0 ] || skip "must run as root (installs and purges packages)"
for c in dpkg-buildpackage dpkg-checkbuilddeps dpkg-parsechangelog dh lintian \
    apt-get dpkg-query git tar xz timeout; do
	command -v "$c" >/dev/null 2>&1 || skip "$c not installed"
done
[ "$(git -C "$top_srcdir" rev-parse --show-toplevel 2>/dev/null)" = \
    "$(cd "$top_srcdir" && pwd -P)" ] &&
	git -C "$top_srcdir" rev-parse --verify -q HEAD >/dev/null 2>&1 ||
	skip "$top_srcdir is not a git checkout (e.g. a release tarball)"
git -C "$top_srcdir" cat-file -e HEAD:debian/control 2>/dev/null ||
	hard "debian/ is not committed in $top_srcdir (the test builds HEAD)"
for p in sixgated sixgate-client; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	case $st in
	''|not-installed) ;;
	*) skip "package $p is on this machine already ($st); the test would replace it" ;;
	esac
done

WORK=
INSTALLED=
HAD_USER=
getent passwd _sixgate >/dev/null && HAD_USER=1

# names FILE: the packages installed now, one "name:arch" a line.
names() {
	dpkg-query -W -f='${db:Status-Status} ${binary:Package}\n' |
		sed -n 's/^installed //p' | sort > "$1"
}

# ours: paths named like us, outside /usr/local and this tree.
ours() {
	local d dirs=()
	for d in /etc /usr /var/lib /lib /lib64 /run; do
		[ -d "$d" ] && [ ! -L "$d" ] && dirs+=("$d")
	done
	timeout 300 find "${dirs[@]}" -xdev \( -path /usr/local -o -path "$WORK" \) \
		-prune -o -name '*sixgate*' -print 2>/dev/null | sort
}

cleanup() {
	local rc=$? extra
	set +e
	trap - EXIT
	if [ -n "$INSTALLED" ]; then
		echo "$T: cleanup: purging the packages" >&2
		timeout 600 apt-get purge -y -q sixgated sixgate-client >&2
		names "$WORK/pkgs.end"
		extra=$(comm -13 "$WORK/pkgs.before" "$WORK/pkgs.end")
		# shellcheck disable=SC2086
		[ -n "$extra" ] && timeout 600 apt-get purge -y -q $extra >&2
	fi
	if [ -z "$HAD_USER" ] && getent passwd _sixgate >/dev/null; then
		timeout 60 userdel _sixgate
		getent group _sixgate >/dev/null && timeout 60 groupdel _sixgate
	fi
	[ -n "$WORK" ] && rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

WORK=$(mktemp -d "${TMPDIR:-/tmp}/t-deb.XXXXXX") || hard "mktemp failed"
chmod 755 "$WORK"
names "$WORK/pkgs.before"
ours > "$WORK/ours.before"

# --------------------------------------------------------------- build

step "export HEAD of $top_srcdir ($(git -C "$top_srcdir" rev-parse --short HEAD))"
git -C "$top_srcdir" show HEAD:debian/changelog > "$WORK/changelog"
VERSION=$(dpkg-parsechangelog -l "$WORK/changelog" -S Version) || hard "no version"
UPSTREAM=${VERSION%-*}
SRC=$WORK/sixgate-$UPSTREAM
timeout 120 git -C "$top_srcdir" archive --format=tar --prefix="sixgate-$UPSTREAM/" HEAD |
	tar -x -C "$WORK" || hard "git archive failed"
# The upstream tarball: the same tree without debian/.
timeout 120 git -C "$top_srcdir" archive --format=tar --prefix="sixgate-$UPSTREAM/" \
	HEAD -- . ':(exclude)debian' | xz -T0 > "$WORK/sixgate_$UPSTREAM.orig.tar.xz" ||
	hard "cannot make the orig tarball"
info "sixgate $VERSION in $SRC"

step "build dependencies (dpkg-checkbuilddeps -Pnocheck)"
out=$(cd "$SRC" && dpkg-checkbuilddeps -Pnocheck 2>&1) ||
	skip "build dependencies missing (apt-get build-dep ./): $out"
info "satisfied"

step "dpkg-buildpackage -us -uc (nocheck), at most $T_DEB_BUILD_TIMEOUT s"
( cd "$SRC" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
	timeout "$T_DEB_BUILD_TIMEOUT" dpkg-buildpackage -us -uc -Pnocheck ) \
	> "$WORK/build.log" 2>&1 || {
	tail -n 80 "$WORK/build.log" >&2
	fail "dpkg-buildpackage failed (last lines above)"
}
CHANGES=$(ls "$WORK"/sixgate_"$VERSION"_*.changes)
DEB_D=$(ls "$WORK"/sixgated_"$VERSION"_*.deb) || fail "no sixgated .deb"
DEB_C=$(ls "$WORK"/sixgate-client_"$VERSION"_*.deb) || fail "no sixgate-client .deb"
for f in "$DEB_D" "$DEB_C"; do
	info "$(basename "$f")"
	dpkg-deb -c "$f" | awk '{ print "      " $1, $2, $NF }'
done

step "lintian (fails on E: and W:)"
timeout 900 lintian -I --show-overrides "$CHANGES" > "$WORK/lintian.log" 2>&1
lrc=$?
sed 's/^/    /' "$WORK/lintian.log"
# 2: tags at the --fail-on level (errors), reported below anyway
[ "$lrc" = 0 ] || [ "$lrc" = 2 ] || fail "lintian did not run (exit $lrc)"
grep -q '^[EW]: ' "$WORK/lintian.log" && fail "lintian reports errors or warnings"
info "no E: or W: lines"

# ------------------------------------------------------------- install

step "apt-get install ./$(basename "$DEB_D") ./$(basename "$DEB_C")"
INSTALLED=1
( cd "$WORK" && timeout 600 apt-get install -y -q "./$(basename "$DEB_D")" \
	"./$(basename "$DEB_C")" ) > "$WORK/install.log" 2>&1 || {
	cat "$WORK/install.log" >&2
	fail "apt-get install failed"
}
awk '/^The following NEW/ { p = 1; print; next } /^[^ ]/ { p = 0 }
	p || /^Setting up/' "$WORK/install.log" | sed 's/^/    /'
getent passwd _sixgate >/dev/null || fail "postinst did not create _sixgate"
info "user: $(getent passwd _sixgate)"
dpkg -L sixgated sixgate-client | sort -u > "$WORK/files"
dpkg-query -W -f='${Conffiles}\n' sixgated sixgate-client | awk 'NF { print $1 }' \
	> "$WORK/conffiles"
info "conffiles: $(tr '\n' ' ' < "$WORK/conffiles")"
for f in /etc/sixgate/sixgated.conf /etc/sixgate/client.conf /etc/pam.d/sixgated; do
	grep -qx "$f" "$WORK/conffiles" || fail "$f is not a conffile"
done
for f in /usr/sbin/sixgated /usr/sbin/sixgatectl /usr/bin/sixgate /lib/systemd/system/sixgated.service; do
	grep -qx "$f" "$WORK/files" || fail "$f is not in the packages"
done
grep -q "^/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/sixgate/libsixgate\.so$" \
	"$WORK/files" || fail "libsixgate.so is not in the multiarch pkglibdir"

if command -v systemd-analyze >/dev/null 2>&1; then
	step "systemd-analyze verify /lib/systemd/system/sixgated.service"
	man=yes
	[ -e /usr/share/man/man8/sixgated.8.gz ] || man=no	# dpkg path-exclude
	out=$(timeout 120 systemd-analyze verify --man=$man \
		/lib/systemd/system/sixgated.service 2>&1) ||
		fail "systemd-analyze verify failed: $out"
	[ -z "$out" ] || fail "systemd-analyze verify is not clean: $out"
	info "clean"
	if out=$(timeout 120 systemd-analyze security --offline=yes \
	    /lib/systemd/system/sixgated.service 2>/dev/null | tail -n 1 |
	    tr -cd '\11\40-\176'); then
		info "systemd-analyze security: $out"
	fi
fi

step "debian/tests/smoke on the installed packages"
SMOKE_DEST=netns timeout 600 bash "$SRC/debian/tests/smoke" 2>&1 | sed 's/^/    /'
[ "${PIPESTATUS[0]}" = 0 ] || fail "the smoke test failed"

# --------------------------------------------------------------- purge

step "apt-get purge -y sixgated sixgate-client"
timeout 600 apt-get purge -y -q sixgated sixgate-client > "$WORK/purge.log" 2>&1 || {
	cat "$WORK/purge.log" >&2
	fail "apt-get purge failed"
}
names "$WORK/pkgs.end"
extra=$(comm -13 "$WORK/pkgs.before" "$WORK/pkgs.end")
if [ -n "$extra" ]; then
	info "purging what the install pulled in: $extra"
	# shellcheck disable=SC2086
	timeout 600 apt-get purge -y -q $extra >> "$WORK/purge.log" 2>&1 ||
		fail "apt-get purge $extra failed"
fi
INSTALLED=

step "nothing of ours remains"
left=
while read -r f; do
	[ -e "$f" ] || [ -L "$f" ] || continue
	if [ -d "$f" ]; then
		# dpkg removes our directories once they are empty: one that
		# stays holds other files, or another package owns it.
		[ -n "$(ls -A "$f" 2>/dev/null)" ] && continue
		dpkg-query -S "$f" >/dev/null 2>&1 && continue
	fi
	left="$left $f"
done < "$WORK/files"
[ -z "$left" ] || fail "left after purge:$left"
for f in /etc/sixgate /etc/pam.d/sixgated; do
	[ ! -e "$f" ] || fail "$f is left after purge"
done
for p in sixgated sixgate-client; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	[ -z "$st" ] || [ "$st" = not-installed ] || fail "$p is $st after purge"
done
ours > "$WORK/ours.after"
new=$(comm -13 "$WORK/ours.before" "$WORK/ours.after")
[ -z "$new" ] || fail "left after purge: $new"
info "none of the $(wc -l < "$WORK/files") paths of the packages, no *sixgate* file"
getent passwd _sixgate >/dev/null ||
	fail "purge removed the system user _sixgate (Debian leaves it)"
if [ -z "$HAD_USER" ]; then
	info "_sixgate stays on purge, as it should; removing it (made by this test)"
else
	info "_sixgate stays on purge, as it should (it was here before)"
fi

echo "$T: PASS"
exit 0
