# tests/integ/lib.sh - sourced by every tests/integ/t-*.sh (bash).
#
# Environment (set by the automake harness, defaults for manual runs):
#   top_srcdir, top_builddir, SIXGATED (the daemon), PAM_WRAPPER_LIBDIR,
#   PYTHON (optional python3 to use).
# Exit codes: 0 pass, 77 skip (after "SKIP: reason"), 99 hard error,
# 1 failure.  Everything a test starts is killed by PID in the EXIT trap.

set -u

# Helpers import each other (sgtool.py): no __pycache__ in the source tree.
export PYTHONDONTWRITEBYTECODE=1

# No proxy from the environment may divert or bypass the test clients.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	no_proxy NO_PROXY ftp_proxy FTP_PROXY socks_proxy SOCKS_PROXY \
	2>/dev/null || true

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=.}"
: "${SIXGATED:=$top_builddir/src/sixgated}"
SG_INTEG=$top_srcdir/tests/integ
SG_TEST=$(basename "$0" .sh)

SG_TMP=
SG_PIDS=
SG_HOOKS=()
SG_DAEMON_ENV=()
SG_DAEMON_WRAP=()
SG_LOG=
SG_CONF=
SG_PID=
SG_NSTART=0

# ------------------------------------------------------------ outcomes

sg_skip() {
	echo "SKIP: $*"
	exit 77
}

sg_error() {
	echo "ERROR: $*" >&2
	exit 99
}

sg_show_log() {
	if [ -n "$SG_LOG" ] && [ -f "$SG_LOG" ]; then
		echo "--- daemon log ($SG_LOG), last ${1:-40} lines ---" >&2
		tail -n "${1:-40}" "$SG_LOG" >&2
		echo "--- end of daemon log ---" >&2
	fi
}

sg_fail() {
	echo "FAIL: $SG_TEST: $*" >&2
	if [ -n "$SG_PID" ] && ! sg_alive "$SG_PID"; then
		SG_RC=?
		sg_wait_exit "$SG_PID" 1
		if [ "$SG_RC" != "?" ] && [ "$SG_RC" -gt 128 ]; then
			echo "sixgated (pid $SG_PID) died: killed by signal $((SG_RC - 128)) ($(kill -l $((SG_RC - 128)) 2>/dev/null))" >&2
		else
			echo "sixgated (pid $SG_PID) is no longer running (exit status $SG_RC)" >&2
		fi
		SG_PID=
	fi
	sg_show_log 60
	exit 1
}

sg_info() {
	echo "$SG_TEST: $*"
}

sg_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || sg_skip "$c not installed"
	done
}

sg_need_root() {
	[ "$(id -u)" = 0 ] || sg_skip "must run as root ($*)"
}

# ------------------------------------------------------------ processes

sg_alive() {	# PID: running and not a zombie
	local st
	[ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -n "$st" ] && [ "$st" != Z ]
}

# sg_bg CMD...: start in the background, remember the PID (SG_BGPID).
sg_bg() {
	"$@" &
	SG_BGPID=$!
	SG_PIDS="$SG_PIDS $SG_BGPID"
}

# sg_wait_exit PID TIMEOUT: wait for a child; SG_RC = its exit status.
# Returns 1 (and leaves it running) if it is still alive after TIMEOUT s.
sg_wait_exit() {
	local pid=$1 t=$2 end
	end=$(( $(date +%s%N) / 1000000 + t * 1000 ))
	while sg_alive "$pid"; do
		[ $(( $(date +%s%N) / 1000000 )) -lt "$end" ] || return 1
		sleep 0.05
	done
	SG_RC=0
	wait "$pid" 2>/dev/null || SG_RC=$?
	return 0
}

sg_now_ms() {
	echo $(( $(date +%s%N) / 1000000 ))
}

sg_cleanup() {
	local rc=$? p i h
	set +e
	trap - EXIT
	for p in $SG_PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $SG_PIDS; do
		for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			sg_alive "$p" || break
			sleep 0.1
		done
		if sg_alive "$p"; then
			kill -KILL "$p" 2>/dev/null
			sleep 0.1
		fi
		wait "$p" 2>/dev/null
	done
	for h in "${SG_HOOKS[@]+"${SG_HOOKS[@]}"}"; do
		eval "$h"
	done
	if [ -n "${SG_KEEP:-}" ]; then
		[ -n "$SG_TMP" ] && echo "kept $SG_TMP" >&2
	elif [ -n "$SG_TMP" ]; then
		rm -rf "$SG_TMP"
	fi
	exit "$rc"
}

# sg_on_exit 'shell command': run in the EXIT trap after the processes
# are killed (e.g. userdel).
sg_on_exit() {
	SG_HOOKS+=("$1")
}

# sg_init: checks shared by all tests, private temp dir, traps.
sg_init() {
	trap sg_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	SG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sg-$SG_TEST.XXXXXX") ||
		sg_error "mktemp failed"
	[ -x "$SIXGATED" ] || sg_error "SIXGATED=$SIXGATED is not an executable"
	sg_need timeout date sed grep
	if [ -z "${SG_PY:-}" ]; then
		local p
		for p in "${PYTHON:-}" python3 /usr/bin/python3; do
			[ -n "$p" ] || continue
			if "$p" -c 'import sys; sys.exit(sys.version_info < (3, 6))' \
			    2>/dev/null; then
				SG_PY=$p
				break
			fi
		done
		[ -n "${SG_PY:-}" ] || sg_skip "python3 (>= 3.6) not available"
	fi
	"$SG_PY" -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' \
		2>/dev/null || sg_skip "no IPv6 loopback (::1)"
}

# sgtool ARGS...: the python helper, bounded.
sgtool() {
	timeout "${SG_TOOL_TIMEOUT:-60}" "$SG_PY" "$SG_INTEG/sgtool.py" "$@"
}

# sg_wait_file FILE TIMEOUT: until FILE exists and is non-empty.
sg_wait_file() {
	local end
	end=$(( $(sg_now_ms) + $2 * 1000 ))
	while [ ! -s "$1" ]; do
		[ "$(sg_now_ms)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# sg_server VAR SUBCOMMAND ARGS...: start an sgtool server (sink, echo,
# http) on port 0; its port is stored in $VAR, its PID in ${VAR}_PID.
sg_server() {
	local var=$1 pf
	shift
	pf=$SG_TMP/port.$var
	rm -f "$pf"
	sg_bg timeout 600 "$SG_PY" "$SG_INTEG/sgtool.py" "$@" --port-file "$pf" \
		2>>"$SG_TMP/servers.err"
	printf -v "${var}_PID" '%s' "$SG_BGPID"
	# Generous: on a loaded host (the sanitizer runs) python starts slowly.
	if ! sg_wait_file "$pf" 30; then
		cat "$SG_TMP/servers.err" >&2
		sg_error "helper server '$*' did not start"
	fi
	printf -v "$var" '%s' "$(cat "$pf")"
}

# sg_refuser VAR [HOST]: a TCP port of HOST (127.0.0.1) that refuses
# connections for the whole test: bound by a helper that never listens,
# so no other program (another test of `make -j2 check`) can take it
# meanwhile, as it could a port that was only "free a moment ago".  Use
# it wherever a test expects "connection refused" or a port nobody uses.
sg_refuser() {
	local var=$1 host=${2:-127.0.0.1} pf=$SG_TMP/port.$1
	rm -f "$pf"
	sg_bg timeout 600 "$SG_PY" -c '
import os, socket, sys, time
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.bind((sys.argv[1], 0))
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
time.sleep(600)' "$host" "$pf" 2>>"$SG_TMP/servers.err"
	sg_wait_file "$pf" 10 || sg_error "port holder did not start"
	printf -v "$var" '%s' "$(cat "$pf")"
}

# sg_curl ARGS...: curl without curlrc, quiet, bounded.
sg_curl() {
	timeout "${SG_CURL_TIMEOUT:-40}" curl -q -sS --max-time "${SG_CURL_MAXTIME:-30}" \
		--connect-timeout 10 "$@"
}

sg_sha() {	# FILE -> hex sha256
	sha256sum "$1" | cut -d' ' -f1
}

# ------------------------------------------------------------ PAM

sg_pamwrap_libdir() {
	local d
	for d in "${PAM_WRAPPER_LIBDIR:-}" \
	    "$(pkg-config --variable=libdir pam_wrapper 2>/dev/null)" \
	    /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
		[ -n "$d" ] && [ -r "$d/libpam_wrapper.so" ] &&
		    [ -r "$d/pam_wrapper/pam_matrix.so" ] && { echo "$d"; return 0; }
	done
	return 1
}

# sg_pamwrap USER PASS [USER PASS...]: a pam_wrapper service directory
# with pam_matrix for service ${SG_PAM_SERVICE:-sixgated}; the variables
# that enable it go to SG_DAEMON_ENV (the daemon's environment only).
sg_pamwrap() {
	local lib dir svc
	lib=$(sg_pamwrap_libdir) ||
		sg_skip "pam_wrapper/pam_matrix not found (PAM_WRAPPER_LIBDIR=${PAM_WRAPPER_LIBDIR:-unset})"
	svc=${SG_PAM_SERVICE:-sixgated}
	dir=$SG_TMP/pam.d
	mkdir -p "$dir"
	SG_PASSDB=$SG_TMP/passdb
	: > "$SG_PASSDB"
	while [ $# -ge 2 ]; do
		printf '%s:%s:%s\n' "$1" "$2" "$svc" >> "$SG_PASSDB"
		shift 2
	done
	cat > "$dir/$svc" <<EOF
auth     required $lib/pam_wrapper/pam_matrix.so passdb=$SG_PASSDB
account  required $lib/pam_wrapper/pam_matrix.so passdb=$SG_PASSDB
EOF
	# A deny-all "other" keeps libpam from complaining that it has none
	# (and makes a wrong auth.pam_service fail instead of erroring).
	local deny
	for deny in "$lib/security/pam_deny.so" /lib/*/security/pam_deny.so \
	    /usr/lib/*/security/pam_deny.so /lib64/security/pam_deny.so \
	    /lib/security/pam_deny.so; do
		if [ -r "$deny" ]; then
			printf 'auth required %s\naccount required %s\n' \
			    "$deny" "$deny" > "$dir/other"
			break
		fi
	done
	SG_DAEMON_ENV=(LD_PRELOAD="$lib/libpam_wrapper.so" PAM_WRAPPER=1
	    PAM_WRAPPER_SERVICE_DIR="$dir"
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0")
}

# ------------------------------------------------------------ daemon

# sg_conf [key=value...]: write the configuration ($SG_CONF, default
# $SG_TMP/sixgated.conf).  Keys and defaults:
#   file=$SG_TMP/sixgated.conf  listen='"127.0.0.1:0", "[::1]:0"'
#   methods='"username"'  pam_service=sixgated  pam_serialize=(omitted)
#   user=  prefer=ipv6
#   handshake=10 connect=5 idle=600 shutdown=5 max_relays=1000
#   rules='{ name = "loopback"; action = "allow"; to = [ "127.0.0.0/8", "::1/128" ]; }'
#   auth_extra=  limits_extra=  (settings added verbatim inside the auth:
#       and limits: groups, e.g. auth_extra='max_concurrent = 4;')
#   extra=  (appended verbatim)
sg_conf() {
	local file=$SG_TMP/sixgated.conf listen='"127.0.0.1:0", "[::1]:0"'
	local methods='"username"' pam_service=${SG_PAM_SERVICE:-sixgated}
	local user= prefer=ipv6 handshake=10 connect=5 idle=600 shutdown=5
	local max_relays=1000 max_per_client= extra= pam_serialize= kv k v n
	local auth_extra= limits_extra=
	local rules='{ name = "loopback"; action = "allow"; to = [ "127.0.0.0/8", "::1/128" ]; }'
	for kv in "$@"; do
		k=${kv%%=*}
		v=${kv#*=}
		case $k in
		file|listen|methods|pam_service|pam_serialize|user|prefer|handshake|connect|idle|shutdown|max_relays|max_per_client|rules|extra|auth_extra|limits_extra)
			printf -v "$k" '%s' "$v" ;;
		*) sg_error "sg_conf: unknown key $k" ;;
		esac
	done
	{
		echo "# generated by $SG_TEST"
		# Listener groups need a list; plain addresses stay an array.
		case $listen in
		*'{'*) echo "listen = ( $listen );" ;;
		*) echo "listen = [ $listen ];" ;;
		esac
		if [ -n "$user" ]; then echo "user = \"$user\";"; fi
		echo "auth: {"
		echo "  methods = [ $methods ];"
		echo "  pam_service = \"$pam_service\";"
		if [ -n "$pam_serialize" ]; then echo "  pam_serialize = $pam_serialize;"; fi
		if [ -n "$auth_extra" ]; then echo "  $auth_extra"; fi
		echo "};"
		echo "resolve: { prefer = \"$prefer\"; };"
		echo "timeouts: { handshake = $handshake; connect = $connect; idle = $idle; shutdown = $shutdown; };"
		echo "limits: { max_relays = $max_relays;${max_per_client:+ max_per_client = $max_per_client;}${limits_extra:+ $limits_extra} };"
		echo "rules = ("
		echo "  $rules"
		echo ");"
		if [ -n "$extra" ]; then echo "$extra"; fi
	} > "$file.tmp" && mv -f "$file.tmp" "$file" || sg_error "cannot write $file"
	SG_CONF=$file
	# Plain addresses (two quotes each) and groups (one brace each).
	n=$(printf '%s' "$listen" | sed 's/{[^}]*}//g' | tr -cd '"' | wc -c)
	SG_NLISTEN=$(( n / 2 + $(printf '%s' "$listen" | tr -cd '{' | wc -c) ))
}

# sg_start [daemon args...]: start $SIXGATED -d -f $SG_CONF, wait for the
# "listening on" lines; sets SG_PID, SG_PORT4, SG_PORT6, SG_LOG.
# SG_DAEMON_WRAP (array, empty by default): a command that runs the daemon
# and execs it in place (e.g. prlimit --nofile=600:600 --), so SG_PID is
# the daemon's own PID.
sg_start() {
	local end n
	SG_NSTART=$((SG_NSTART + 1))
	SG_LOG=$SG_TMP/sixgated.$SG_NSTART.log
	: > "$SG_LOG"
	"${SG_DAEMON_WRAP[@]+"${SG_DAEMON_WRAP[@]}"}" \
	    env "${SG_DAEMON_ENV[@]+"${SG_DAEMON_ENV[@]}"}" \
	    "$SIXGATED" -d -f "$SG_CONF" "$@" >>"$SG_LOG" 2>&1 &
	SG_PID=$!
	SG_PIDS="$SG_PIDS $SG_PID"
	end=$(( $(sg_now_ms) + ${SG_START_TIMEOUT:-10} * 1000 ))
	while :; do
		n=$(grep -c "listening on" "$SG_LOG")
		[ "$n" -ge "${SG_NLISTEN:-1}" ] && break
		if ! sg_alive "$SG_PID"; then
			sg_wait_exit "$SG_PID" 1
			SG_PID=
			echo "config:" >&2; cat "$SG_CONF" >&2
			sg_fail "sixgated exited during start-up (status ${SG_RC:-?})"
		fi
		[ "$(sg_now_ms)" -lt "$end" ] ||
			sg_fail "sixgated did not log $SG_NLISTEN 'listening on' lines in ${SG_START_TIMEOUT:-10} s"
		sleep 0.05
	done
	SG_PORT4=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$SG_LOG" | head -n1)
	SG_PORT6=$(sed -n 's/.*listening on \[::1\]:\([0-9][0-9]*\).*/\1/p' "$SG_LOG" | head -n1)
	export SG_PID SG_PORT4 SG_PORT6
}

# sg_stop [TIMEOUT]: SIGTERM, wait (default 10 s), SIGKILL if needed.
# SG_RC = exit status; returns 1 if it had to be killed.
sg_stop() {
	local t=${1:-10}
	[ -n "$SG_PID" ] || return 0
	kill -TERM "$SG_PID" 2>/dev/null
	if ! sg_wait_exit "$SG_PID" "$t"; then
		kill -KILL "$SG_PID" 2>/dev/null
		sg_wait_exit "$SG_PID" 5
		SG_PID=
		return 1
	fi
	SG_PID=
	return 0
}

# sg_log_wait STRING TIMEOUT [COUNT]: until the daemon log has COUNT
# (default 1) lines containing the fixed STRING.
sg_log_wait() {
	local end
	end=$(( $(sg_now_ms) + $2 * 1000 ))
	while [ "$(grep -cF -- "$1" "$SG_LOG")" -lt "${3:-1}" ]; do
		[ "$(sg_now_ms)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# sg_hold NAME SGTOOL-SOCKS-ARGS...: a relay held open by `sgtool socks
# ARGS --echo-check` (its output in $SG_TMP/NAME) until $SG_TMP/release.NAME
# exists (at most SG_HOLD_MAX s, default 40); returns once it is
# established and its first echo came back.  Its PID: $HOLD_PID_NAME.
sg_hold() {
	local name=$1 end
	shift
	sgtool socks "$@" --echo-check --hold-file "$SG_TMP/release.$name" \
	    --hold-max "${SG_HOLD_MAX:-40}" > "$SG_TMP/$name" 2>&1 &
	SG_PIDS="$SG_PIDS $!"
	eval "HOLD_PID_$name=\$!"
	end=$(( $(sg_now_ms) + 10000 ))
	until grep -q "^holding=1" "$SG_TMP/$name"; do
		[ "$(sg_now_ms)" -lt "$end" ] ||
			{ cat "$SG_TMP/$name" >&2; sg_fail "relay $name not established"; }
		sleep 0.05
	done
	sg_expect "$SG_TMP/$name" "rep=0x00" "echo=ok"
}

# sg_ctl_init: sixgatectl ($SIXGATECTL, default next to $SIXGATED), the
# control socket $SG_CS, $SG_CTL_CONF (a control group for sg_conf
# extra=, mode 0600) and ctl ARGS... (sixgatectl -s $SG_CS, bounded).
sg_ctl_init() {
	: "${SIXGATECTL:=$(dirname "$SIXGATED")/sixgatectl}"
	[ -x "$SIXGATECTL" ] || sg_error "SIXGATECTL=$SIXGATECTL is not an executable"
	SG_CS=$SG_TMP/control.sock
	SG_CTL_CONF="control: { socket = \"$SG_CS\"; mode = \"0600\"; };"
}
ctl() {
	timeout 20 "$SIXGATECTL" -s "$SG_CS" "$@"
}

# sg_log_count STRING: lines of the daemon log containing STRING.
sg_log_count() {
	grep -cF -- "$1" "$SG_LOG"
}

# sg_socks_rep REP NAME ARGS...: one raw SOCKS5 request (sgtool socks
# ARGS), whose reply must be REP; its output is kept in $SG_TMP/NAME.
sg_socks_rep() {
	local want=$1 o=$SG_TMP/$2
	shift 2
	sgtool socks "$@" > "$o" 2>&1
	grep -q "^rep=$want " "$o" || {
		cat "$o" >&2
		sg_fail "sgtool socks $*: expected rep=$want"
	}
	sg_info "ok: rep=$want for $*"
}

# sg_expect_line FILE KEY=VALUE...: every word must appear in FILE.
sg_expect() {
	local f=$1 w
	shift
	for w in "$@"; do
		grep -qF -- "$w" "$f" || {
			echo "--- $f ---" >&2; cat "$f" >&2
			sg_fail "expected '$w' in client output $f"
		}
	done
}

# ------------------------------------------------------------ system users

# sg_retry CMD...: run up to 10 times, 0.5 s apart (the passwd/shadow
# locks may be held by a test running in parallel).
sg_retry() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		"$@" && return 0
		sleep 0.5
	done
	return 1
}

# sg_add_user NAME [useradd options...]: a throwaway account removed (with
# its group) in the EXIT trap.
sg_add_user() {
	local name=$1
	shift
	getent passwd "$name" >/dev/null && sg_error "user $name already exists"
	sg_on_exit "sg_retry userdel $name >/dev/null 2>&1; getent group $name >/dev/null && sg_retry groupdel $name >/dev/null 2>&1"
	sg_retry timeout 30 useradd "$@" "$name" ||
		sg_error "useradd $* $name failed"
}

# sg_pam_other: checks for the root tests that use the system's PAM via
# /etc/pam.d/other; sets SG_SVC to a service name with no file in
# /etc/pam.d (so that PAM falls back to "other").
sg_pam_other() {
	SG_SVC=sgtest-nofile-$$
	[ -r /etc/pam.d/other ] || sg_skip "no /etc/pam.d/other"
	[ ! -e "/etc/pam.d/$SG_SVC" ] || sg_error "/etc/pam.d/$SG_SVC exists"
	grep -qs pam_unix /etc/pam.d/other /etc/pam.d/common-auth ||
		sg_skip "/etc/pam.d/other does not use pam_unix"
}

# ------------------------------------------------ Dante (danted)

# sg_find_danted: DANTED = danted's path; returns 1 when not installed.
sg_find_danted() {
	local c
	DANTED=
	for c in /usr/sbin/danted "$(command -v danted 2>/dev/null)"; do
		[ -n "$c" ] && [ -x "$c" ] && { DANTED=$c; return 0; }
	done
	return 1
}

# sg_danted [nsexec=CMD] [user=PREFIX] [client_log=WORDS] [userns=1]:
# Dante's danted on 127.0.0.1 (run through CMD, e.g. a mount namespace
# with its own /etc/hosts), passing CONNECT from and to 127.0.0.0/8.  As
# root Dante checks the password of a throwaway system user PREFIX$$
# (socksmethod username, removed in the EXIT trap) and switches to nobody
# (not in a user namespace, userns=1, where only root is mapped);
# otherwise socksmethod none.  danted cannot be told to pick a port: a
# free one, tried again (3 times) only when it was taken meanwhile.
# Needs DANTED (sg_find_danted).  Sets DUSER and DPASS (empty without
# root), DMETHOD, DPORT, DPID, DLOG.
sg_danted() {
	local nsexec= user=sgdante client_log=error userns= kv k v privs= port try end
	for kv in "$@"; do
		k=${kv%%=*}
		v=${kv#*=}
		case $k in
		nsexec|user|client_log|userns) printf -v "$k" '%s' "$v" ;;
		*) sg_error "sg_danted: unknown key $k" ;;
		esac
	done
	[ -n "${DANTED:-}" ] || sg_error "sg_danted: DANTED is not set"
	DUSER=
	DPASS=
	DMETHOD=none
	if [ "$(id -u)" = 0 ]; then
		sg_need useradd userdel chpasswd
		DUSER=$user$$
		DPASS="D4nte-$$-$RANDOM"
		sg_add_user "$DUSER" -M -d /nonexistent -s /usr/sbin/nologin
		sg_retry sh -c 'printf "%s:%s\n" "$1" "$2" | timeout 30 chpasswd' \
		    sh "$DUSER" "$DPASS" || sg_error "chpasswd $DUSER failed"
		DMETHOD=username
		[ -n "$userns" ] || privs="user.privileged: root
user.unprivileged: nobody"
	fi
	DPORT=
	for try in 1 2 3; do
		port=$(sgtool freeport --bind 127.0.0.1) || sg_error "freeport failed"
		cat > "$SG_TMP/danted.conf" <<CONF
# generated by $SG_TEST
logoutput: stderr
internal: 127.0.0.1 port = $port
external: lo
clientmethod: none
socksmethod: $DMETHOD
$privs
client pass {
	from: 127.0.0.0/8 to: 0.0.0.0/0
	log: $client_log
}
socks pass {
	from: 127.0.0.0/8 to: 127.0.0.0/8
	command: connect
	log: connect disconnect error
}
CONF
		DLOG=$SG_TMP/danted.$try.log
		: > "$DLOG"
		sg_bg $nsexec "$DANTED" -f "$SG_TMP/danted.conf" -N 1 \
		    -p "$SG_TMP/danted.pid" 2>> "$DLOG" >> "$DLOG"
		DPID=$SG_BGPID
		end=$(( $(sg_now_ms) + 10000 ))
		while sg_alive "$DPID" && ! grep -q " running" "$DLOG"; do
			[ "$(sg_now_ms)" -lt "$end" ] || break
			sleep 0.05
		done
		# Listening?  (the "running" line comes after the bind)
		if sg_alive "$DPID" && grep -q " running" "$DLOG" &&
		    timeout 10 "$SG_PY" -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5).close()' \
		    "$port" > "$SG_TMP/probe" 2>&1; then
			DPORT=$port
			break
		fi
		kill "$DPID" 2>/dev/null
		sg_wait_exit "$DPID" 5
		# Only a port taken in the meantime is worth another try.
		grep -qi "in use" "$DLOG" || break
	done
	[ -n "$DPORT" ] || {
		echo "--- $DLOG ---" >&2
		tail -n 20 "$DLOG" >&2
		sg_error "danted did not start (configuration $SG_TMP/danted.conf)"
	}
	sg_info "danted on 127.0.0.1:$DPORT (pid $DPID, socksmethod $DMETHOD)"
}
