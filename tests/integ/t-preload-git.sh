#!/bin/bash
# t-preload-git.sh - an unmodified git under `sixgate` clones
# http://web6.sgtest:PORT/repo.git (a name only the gateway resolves, to
# ::1) from a plain file server ("dumb" HTTP protocol: a bare repository
# after git update-server-info).  The connection is made by a child
# process (git-remote-http), which inherits the library and the table.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
sg_init
sg_need git getent
pl_init
pl_hosts
pl_unresolvable web6.sgtest
pl_gateway
pl_client_conf

# No user or system git configuration may change the clone.
export HOME=$SG_TMP/home GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 \
    GIT_AUTHOR_NAME=sgtest GIT_AUTHOR_EMAIL=sgtest@example.invalid \
    GIT_COMMITTER_NAME=sgtest GIT_COMMITTER_EMAIL=sgtest@example.invalid
unset GIT_DIR GIT_WORK_TREE GIT_CONFIG_GLOBAL GIT_CONFIG 2>/dev/null || true
mkdir -p "$HOME"

G="timeout 60 git"
$G init -q "$SG_TMP/src" || sg_error "git init failed"
echo "cloned through sixgate $$" > "$SG_TMP/src/hello.txt"
head -c 200000 /dev/urandom > "$SG_TMP/src/blob.bin"
$G -C "$SG_TMP/src" add hello.txt blob.bin &&
	$G -C "$SG_TMP/src" commit -q -m "test commit" ||
	sg_error "git commit failed"
mkdir -p "$SG_TMP/www"
$G clone -q --bare "$SG_TMP/src" "$SG_TMP/www/repo.git" &&
	$G -C "$SG_TMP/www/repo.git" update-server-info ||
	sg_error "preparing the bare repository failed"
[ -s "$SG_TMP/www/repo.git/info/refs" ] || sg_error "no info/refs after update-server-info"
pl_server WEB6 http --bind ::1 --dir "$SG_TMP/www" --log "$SG_TMP/http.log"

PL_TIMEOUT=120 pl_run git clone -q "http://web6.sgtest:$WEB6/repo.git" "$SG_TMP/dst" \
    > "$SG_TMP/clone.out" 2>&1 ||
	pl_fail_with "$SG_TMP/clone.out" "git clone http://web6.sgtest:$WEB6/repo.git under sixgate failed"
cmp -s "$SG_TMP/src/hello.txt" "$SG_TMP/dst/hello.txt" ||
	sg_fail "cloned hello.txt differs"
cmp -s "$SG_TMP/src/blob.bin" "$SG_TMP/dst/blob.bin" ||
	sg_fail "cloned blob.bin differs"
[ "$($G -C "$SG_TMP/dst" rev-parse HEAD)" = "$($G -C "$SG_TMP/src" rev-parse HEAD)" ] ||
	sg_fail "cloned HEAD differs"
grep -q "objects/" "$SG_TMP/http.log" ||
	pl_fail_with "$SG_TMP/http.log" "the clone did not fetch loose objects (not the dumb protocol?)"
sg_log_wait "dest=web6.sgtest:$WEB6" 10 ||
	sg_fail "no access line with dest=web6.sgtest:$WEB6"
grep -F "dest=web6.sgtest:$WEB6" "$SG_LOG" | grep -qvF "rep=0x00" &&
	sg_fail "an access line for web6.sgtest without rep=0x00"
sg_info "ok: git clone http://web6.sgtest:$WEB6/repo.git ($(grep -c "dest=web6.sgtest" "$SG_LOG") connections)"
exit 0
