#!/bin/bash
# t-preload-plt.sh - the Socks Lib never calls its own hooks (issue 11,
# item 10): no call inside libsixgate.so goes through a PLT slot of a
# name it exports (send, recv, close, getpeername...: with LD_PRELOAD
# such a slot binds back to the module's own hook), and no function of
# the module calls a hook directly.  Internal calls use real() or l->io;
# code from src/ (pwfile.c's close) is linked with -Wl,--wrap=close.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
sg_need objdump
MOD=$top_builddir/preload/.libs/libsixgate.so
[ -r "$MOD" ] || sg_error "module $MOD not built"
HOOKS='getaddrinfo|freeaddrinfo|gethostbyname2?(_r)?|gethostbyaddr(_r)?|getnameinfo|_?_?connect|send|sendto|sendm?msg|recv|recvfrom|recvm?msg|getpeername|getsockname|close'

# 1. The exported names are exactly the hooks (else the check below
#    would look for the wrong names).
objdump -T "$MOD" > "$SG_TMP/dynsym" 2>&1 || sg_error "objdump -T $MOD failed"
grep -qE '[[:space:]]send$' "$SG_TMP/dynsym" ||
	sg_error "the module does not export send: $(head -n 5 "$SG_TMP/dynsym")"

# 2. No PLT slot (a JUMP_SLOT relocation) for a hooked name.
objdump -R "$MOD" > "$SG_TMP/relocs" 2>&1 || sg_error "objdump -R $MOD failed"
grep -q JUMP_SLOT "$SG_TMP/relocs" ||
	sg_skip "no JUMP_SLOT relocations in the module: lazy PLT layout unknown"
if bad=$(grep -E "JUMP_SLOT[[:space:]]+($HOOKS)(@@?[A-Za-z0-9_.]*)?\$" "$SG_TMP/relocs"); then
	sg_fail "the module calls its own hooks through the PLT: $(echo "$bad" | awk '{print $NF}' | tr '\n' ' ')"
fi
sg_info "ok: no PLT slot for a hooked name"

# 3. No direct call or jump from one function to a hook (x86 call/jmp,
#    AArch64 bl/b); a hook is only entered from outside.
objdump -d "$MOD" > "$SG_TMP/disas" 2>&1 || sg_error "objdump -d $MOD failed"
bad=$(awk -v re="<($HOOKS)(@plt)?>\$" '
	/^[0-9a-f]+ <.*>:$/ { fn = $2; next }
	$0 ~ /\t(call|callq|jmp|jmpq|bl|b)[ \t]/ && $NF ~ re {
		print fn " -> " $NF }' "$SG_TMP/disas" | sort -u)
[ -z "$bad" ] || sg_fail "internal calls land on hooks: $(echo "$bad" | tr '\n' ';')"
sg_info "ok: no internal call lands on a hook"
exit 0
