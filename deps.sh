#!/bin/sh
# Install the Debian 12 packages sixgate needs: "build" to build and run
# the gateway, "test" to also run the whole test suite.  Uses sudo when
# not run as root; does nothing when everything is installed already.
set -e
build="autoconf automake libtool pkgconf make gcc libc6-dev libconfig-dev libpam0g-dev check"
test="$build clang libclang-rt-14-dev valgrind libpam-wrapper libpam-modules passwd curl ncat python3 python3-socks haproxy iproute2 procps wget netcat-openbsd openssh-server openssh-client git dante-server bind9-dnsutils dnsmasq-base nftables busybox-static build-essential dpkg-dev debhelper lintian git xz-utils systemd"
case "${1:-build}" in
build)	pkgs=$build ;;
test)	pkgs=$test ;;
*)	echo "usage: sh deps.sh [build|test]" >&2; exit 1 ;;
esac
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
echo "deps.sh: installing$missing"
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $missing
