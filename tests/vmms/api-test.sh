#!/bin/sh
# API tests of septum-vmms against a real daemon and a worker: here the
# fake one (tests/vmms/fake-vmwp.c, `make vmms-api-test`), in the root
# partition the real septum-vmwp. Every check is one line, "PASS vmms/NAME"
# or "FAIL vmms/NAME: why" (or SKIP with why); the closing line is
# "N passed, N failed, N skipped". Must run as root (the unauthorized
# user is uid 65534, through util-linux setpriv).
#
# usage: api-test.sh [--kernel FILE] [--initrd FILE] [--memory MIB]
#                    [--cmdline STR] VMMS SEPTUMCTL VMWP
# Without --kernel, a dummy file stands in (enough for the fake worker).
# Checks that need the fake worker's steering (fake.* on the guest command
# line) are skipped, saying so, with another worker.

KERNEL= INITRD= MEMORY=64 CMDLINE="console=ttyS0"
while [ $# -gt 3 ]; do
	case $1 in
	--kernel) KERNEL=$2 ;;
	--initrd) INITRD=$2 ;;
	--memory) MEMORY=$2 ;;
	--cmdline) CMDLINE=$2 ;;
	*) break ;;
	esac
	shift 2
done
if [ $# -ne 3 ]; then
	echo "usage: $0 [--kernel FILE] [--initrd FILE] [--memory MIB] [--cmdline STR] VMMS SEPTUMCTL VMWP" >&2
	exit 1
fi
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
VMMS=$(abs "$1") CTL=$(abs "$2") VMWP=$(abs "$3")
FAKE=0
[ "$(basename "$VMWP")" = fake-vmwp ] && FAKE=1

T=$(mktemp -d /tmp/vmms-test.XXXXXX) || exit 1
chmod 755 "$T"
STATE=$T/state RUN=$T/run SOCK=$T/run/vmms.sock
GID=65533	# the management group of this run
p=0 f=0 s=0
VPID=
WORKERS=	# every worker pid seen, for the orphan check

pass() { echo "PASS vmms/$1"; p=$((p + 1)); }
fail() { echo "FAIL vmms/$1: $2"; f=$((f + 1)); }
skip() { echo "SKIP vmms/$1: $2"; s=$((s + 1)); }
short() { echo "$*" | tr '\n' ' ' | cut -c1-300; }
ctl() { "$CTL" --socket "$SOCK" "$@"; }

# expect NAME STATUS TEXT COMMAND...: septumctl exits STATUS and prints TEXT.
expect() {
	name=$1 want=$2 text=$3
	shift 3
	out=$(ctl "$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && echo "$out" | grep -q -- "$text"; then
		pass "$name"
	else
		fail "$name" "septumctl $* exited $rc (want $want), said: $(short "$out")"
	fi
}

info_json() { ctl --json info "$1" 2>/dev/null; }
state_of() { info_json "$1" | sed -n 's/^{"name":"[^"]*","state":"\([a-z]*\)".*/\1/p'; }
pid_of() { info_json "$1" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p'; }
reason_of() { info_json "$1" | sed -n 's/.*"reason":"\([^"]*\)".*/\1/p'; }
restarts_of() { info_json "$1" | sed -n 's/.*"restarts":\([0-9]*\).*/\1/p'; }

# wait_for NAME STATE SECONDS: 0 once the VM is in STATE.
wait_for() {
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		[ "$(state_of "$1")" = "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_reason NAME TEXT SECONDS: 0 once the VM's reason holds TEXT.
wait_reason() {
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		reason_of "$1" | grep -q -- "$2" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

start_vmms() {
	"$VMMS" --state-dir "$STATE" --run-dir "$RUN" --vmwp "$VMWP" --group $GID \
		>>"$T/vmms.log" 2>&1 &
	VPID=$!
	i=0
	while [ $i -lt 50 ]; do
		ctl list >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# define NAME [EXTRA-JSON-MEMBERS]: writes $T/NAME.json for NAME.
defn() {
	name=$1 extra=${2:-}
	{
		printf '{"name":"%s","kernel":"%s","memory":%s,"cmdline":"%s"' \
			"$name" "$KERNEL" "$MEMORY" "$CMDLINE"
		[ -n "$INITRD" ] && printf ',"initrd":"%s"' "$INITRD"
		[ -n "$extra" ] && printf ',%s' "$extra"
		printf '}\n'
	} >"$T/$name.json"
	echo "$T/$name.json"
}

# A definition with the fake worker's steering on its command line.
fake_defn() {
	name=$1 steer=$2 extra=${3:-}
	saved=$CMDLINE
	CMDLINE="$CMDLINE $steer"
	defn "$name" "$extra"
	CMDLINE=$saved
}

# A process that has ended but is not reaped yet (a zombie) is not alive.
alive() {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null &&
		! sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^[ZXx]'
}
remember() { [ -n "$1" ] && WORKERS="$WORKERS $1"; }

cleanup() {
	for vm in $(ctl --json list 2>/dev/null | grep -o '"name":"[a-z0-9-]*"' | cut -d'"' -f4); do
		ctl kill "$vm" >/dev/null 2>&1
	done
	[ -n "$VPID" ] && kill "$VPID" 2>/dev/null && wait "$VPID" 2>/dev/null
}

if [ -z "$KERNEL" ]; then
	KERNEL=$T/vmlinuz
	echo "not a kernel" >"$KERNEL"
fi
echo "vmms: daemon $VMMS, cli $CTL, worker $VMWP, dir $T"

# ---- the daemon, its socket, septumctl's usage ----

if start_vmms; then pass daemon-up; else
	fail daemon-up "no answer on $SOCK: $(short "$(cat "$T/vmms.log")")"
	echo "$p passed, $f failed, $s skipped"
	exit 1
fi
# A request left unfinished is dropped after 10 s (runs beside the rest).
partial_t0=$(date +%s)
{ printf '{"jsonrpc":"2.0"'; sleep 14; } | { ctl raw >"$T/partial.out" 2>&1; date +%s >"$T/partial.end"; } &

grep -q '^vmms: listening' "$T/vmms.log" && pass log-prefix ||
	fail log-prefix "no 'vmms: listening' line in the log"
mode=$(stat -c '%a %g' "$SOCK")
[ "$mode" = "660 $GID" ] && pass socket-permissions ||
	fail socket-permissions "socket is '$mode', want '660 $GID'"
out=$("$VMMS" --state-dir "$STATE" --run-dir "$T/run2" --vmwp "$VMWP" 2>&1)
[ $? = 1 ] && echo "$out" | grep -q "in use" && pass second-daemon-refused ||
	fail second-daemon-refused "$(short "$out")"

out=$("$CTL" --help 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "exit status" && pass help ||
	fail help "exit $rc: $(short "$out")"
ok=1
for c in define undefine list info start stop kill reboot console stats events call raw; do
	out=$("$CTL" $c --help 2>&1) && echo "$out" | grep -q "usage: septumctl.* $c" || ok=0
done
[ $ok = 1 ] && pass help-each-command || fail help-each-command "some COMMAND --help failed"
"$CTL" >/dev/null 2>&1; a=$?
"$CTL" frobnicate >/dev/null 2>&1; b=$?
"$CTL" start >/dev/null 2>&1; c=$?
[ "$a$b$c" = 111 ] && pass usage-exit-1 || fail usage-exit-1 "statuses $a $b $c, want 1 1 1"
"$CTL" --socket "$T/nothing.sock" list >/dev/null 2>&1; rc=$?
[ $rc = 2 ] && pass unreachable-exit-2 || fail unreachable-exit-2 "exit $rc"

# The crash loop (restart cap) takes ~35 s: start it now, check it last.
if [ $FAKE = 1 ]; then
	ctl define "$(fake_defn loop fake.exit=3@50 '"restart":"on-crash"')" >/dev/null 2>&1
	ctl start loop >/dev/null 2>&1
fi

# Events from here on.
ctl --json events >"$T/events.out" 2>&1 &
EVPID=$!
sleep 0.3

# ---- define ----

expect define 0 "defined a" define "$(defn a)"
expect define-unknown-key 4 "memroy" define "$(defn bad1 '"memroy":64')"
sed 's/"memory":[0-9]*/"memory":0/' "$T/a.json" | sed 's/"name":"a"/"name":"bad2"/' >"$T/bad2.json"
expect define-memory-zero 4 "memory: must be" define "$T/bad2.json"
sed "s|\"kernel\":\"[^\"]*\"|\"kernel\":\"$T/missing-vmlinuz\"|; s/\"name\":\"a\"/\"name\":\"bad3\"/" \
	"$T/a.json" >"$T/bad3.json"
expect define-missing-kernel 4 "kernel: .*No such file" define "$T/bad3.json"
expect define-duplicate-name 4 "already exists" define "$T/a.json"
echo '{"name":' >"$T/bad4.json"
expect define-not-json 4 "line" define "$T/bad4.json"
sed 's/"name":"a"/"name":"Bad_Name"/' "$T/a.json" >"$T/bad5.json"
expect define-bad-name 4 "name" define "$T/bad5.json"
sed 's/"name":"a"/"name":"bad6"/; s/}$/,"vps":17}/' "$T/a.json" >"$T/bad6.json"
expect define-vps-range 4 "vps" define "$T/bad6.json"
out=$(ctl list 2>&1)
echo "$out" | grep -q "^bad" && fail define-refused-not-kept "$(short "$out")" ||
	pass define-refused-not-kept

if [ -f "$STATE/a.json" ] && grep -q '"memory": '"$MEMORY" "$STATE/a.json" &&
	[ -z "$(ls -A "$STATE" | grep '\.tmp$')" ]; then
	pass definition-persisted
else
	fail definition-persisted "$(ls -la "$STATE" 2>&1 | short)"
fi
expect info-not-found 3 "no vm" info nosuch
expect start-not-found 3 "no vm" start nosuch
expect call-bad-params 4 "unknown parameter" call start '{"name":"a","bogus":1}'

# ---- start, two at once, console, stats ----

expect start 0 "a: running" start a
expect start-twice-refused 5 "running" start a
ctl define "$(defn b)" >/dev/null 2>&1
expect start-second 0 "b: running" start b
pa=$(pid_of a) pb=$(pid_of b)
remember "$pa"
remember "$pb"
if [ "$(state_of a)" = running ] && [ "$(state_of b)" = running ] && alive "$pa" &&
	alive "$pb" && [ "$pa" != "$pb" ]; then
	pass two-vms-running
else
	fail two-vms-running "a $(state_of a) pid $pa, b $(state_of b) pid $pb"
fi
out=$(ctl list 2>&1)
echo "$out" | grep -q "^a .*running" && echo "$out" | grep -q "^b .*running" &&
	pass list-table || fail list-table "$(short "$out")"

out=$(printf 'echo-this-line\n' | ctl console a 2>&1); rc=$?
# A real guest may not have printed yet: its console speaks within seconds.
n=0
while [ $FAKE = 0 ] && [ $rc = 0 ] && [ -z "$out" ] && [ $n -lt 20 ]; do
	sleep 1
	out=$(ctl console a </dev/null 2>&1); rc=$?
	n=$((n + 1))
done
if [ $FAKE = 1 ]; then
	[ $rc = 0 ] && echo "$out" | grep -q "booted" && echo "$out" | grep -q "echo-this-line" &&
		pass console || fail console "exit $rc: $(short "$out")"
else
	[ $rc = 0 ] && [ -n "$out" ] && pass console || fail console "exit $rc, no output"
fi
out=$(ctl stats a 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "name: *a" && pass stats || fail stats "exit $rc: $(short "$out")"
out=$(ctl --json stats a 2>&1)
if [ $FAKE = 1 ]; then
	echo "$out" | grep -q '"intercepts":' && echo "$out" | grep -q '"heartbeat_age_s":' &&
		pass stats-json || fail stats-json "$(short "$out")"
else
	echo "$out" | grep -q '"name":"a"' && pass stats-json || fail stats-json "$(short "$out")"
fi
expect reboot 0 "rebooting" reboot a
out=$(ctl info a 2>&1)
echo "$out" | grep -q "console: *$RUN/a.console" && echo "$out" | grep -q "pid: *$pa" &&
	pass info || fail info "$(short "$out")"
grep -q "vmwp\[a\]" "$RUN/a.log" 2>/dev/null && pass worker-log ||
	fail worker-log "no vmwp[a] line in $RUN/a.log"

# ---- one worker killed: that VM crashed, the other untouched ----

kill -9 "$pa"
if wait_for a crashed 5; then
	reason=$(reason_of a)
	echo "$reason" | grep -q "signal 9" && pass worker-kill9-crashed ||
		fail worker-kill9-crashed "reason '$reason'"
else
	fail worker-kill9-crashed "a is $(state_of a)"
fi
[ "$(state_of b)" = running ] && [ "$(pid_of b)" = "$pb" ] && alive "$pb" &&
	pass other-vm-unaffected || fail other-vm-unaffected "b $(state_of b) pid $(pid_of b)"
expect stats-crashed-refused 5 "crashed" stats a
[ -e "$RUN/a.worker" ] && fail record-removed "$RUN/a.worker still there" || pass record-removed

# ---- graceful stop, kill ----

expect graceful-stop 0 "b: off (stopped)" stop b --timeout 20
[ "$(state_of b)" = off ] && ! alive "$pb" && pass graceful-stop-off ||
	fail graceful-stop-off "b $(state_of b), worker $pb alive: $(alive "$pb" && echo yes)"
expect stop-off-refused 5 "off" stop b
expect console-off-refused 5 "off" console b
expect start-again 0 "running" start a
remember "$(pid_of a)"
expect kill 0 "a: off (killed)" kill a
ctl start b >/dev/null 2>&1
remember "$(pid_of b)"
expect undefine-running-refused 5 "stop it first" undefine b
ctl kill b >/dev/null 2>&1

# ---- what the worker's exit means; restart policy ----

if [ $FAKE = 1 ]; then
	ctl define "$(fake_defn d fake.shutdown=ignore)" >/dev/null 2>&1
	ctl start d >/dev/null 2>&1
	remember "$(pid_of d)"
	expect stop-timeout-forced 0 "forced: the guest did not power off in time" stop d --timeout 1
	ctl define "$(fake_defn e fake.shutdown=refuse)" >/dev/null 2>&1
	ctl start e >/dev/null 2>&1
	remember "$(pid_of e)"
	expect stop-refused-forced 0 "graceful shutdown failed" stop e
	ctl define "$(fake_defn g fake.exit=3@500)" >/dev/null 2>&1
	ctl start g >/dev/null 2>&1
	wait_for g crashed 5 && reason_of g | grep -q "guest crash" && pass guest-crash ||
		fail guest-crash "g $(state_of g): $(reason_of g)"
	ctl define "$(fake_defn h fake.exit=0@500)" >/dev/null 2>&1
	ctl start h >/dev/null 2>&1
	wait_reason h "guest powered off" 5 && [ "$(state_of h)" = off ] && pass guest-poweroff ||
		fail guest-poweroff "h $(state_of h): $(reason_of h)"
	ctl define "$(fake_defn i fake.exit=1@200)" >/dev/null 2>&1
	ctl start i >/dev/null 2>&1
	wait_reason i "setup failed" 5 && reason_of i | grep -q "exiting with status 1" &&
		pass worker-setup-failure || fail worker-setup-failure "i: $(reason_of i)"
else
	for c in stop-timeout-forced stop-refused-forced guest-crash guest-poweroff worker-setup-failure; do
		skip $c "needs the fake worker's fake.* steering"
	done
fi

ctl define "$(defn r '"restart":"on-crash"')" >/dev/null 2>&1
ctl start r >/dev/null 2>&1
pr=$(pid_of r)
remember "$pr"
kill -9 "$pr"
wait_for r crashed 5
if wait_for r running 10 && [ "$(pid_of r)" != "$pr" ] && [ "$(restarts_of r)" = 1 ]; then
	pass restart-on-crash
else
	fail restart-on-crash "r $(state_of r), pid $(pid_of r) (was $pr), restarts $(restarts_of r)"
fi
remember "$(pid_of r)"
ctl kill r >/dev/null 2>&1

# ---- files checked again at start, memory ----

cp "$KERNEL" "$T/gone-vmlinuz"
sed "s|\"kernel\":\"[^\"]*\"|\"kernel\":\"$T/gone-vmlinuz\"|; s/\"name\":\"a\"/\"name\":\"gone\"/" \
	"$T/a.json" >"$T/gone.json"
ctl define "$T/gone.json" >/dev/null 2>&1
rm -f "$T/gone-vmlinuz"
expect start-missing-kernel 4 "kernel: .*No such file" start gone
sed 's/"memory":[0-9]*/"memory":4194304/; s/"name":"a"/"name":"huge"/' "$T/a.json" >"$T/huge.json"
ctl define "$T/huge.json" >/dev/null 2>&1
expect start-not-enough-memory 6 "needs 4194368 MiB.*MiB available" start huge
[ "$(state_of huge)" = off ] && pass not-started-stays-off || fail not-started-stays-off "$(state_of huge)"

# ---- undefine ----

expect undefine 0 "undefined huge" undefine huge
[ ! -e "$STATE/huge.json" ] && pass undefine-removes-file || fail undefine-removes-file "still there"
expect undefined-not-found 3 "no vm" info huge

# ---- the unauthorized ----

if setpriv --help 2>&1 | grep -q -- --reuid; then
	nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
	out=$($nobody "$CTL" --socket "$SOCK" list 2>&1); rc=$?
	[ $rc = 2 ] && echo "$out" | grep -q "ermission denied" && pass unauthorized-refused ||
		fail unauthorized-refused "exit $rc: $(short "$out")"
	out=$(setpriv --reuid=65534 --regid=65534 --groups=$GID "$CTL" --socket "$SOCK" list 2>&1)
	rc=$?
	[ $rc = 0 ] && echo "$out" | grep -q "^a " && pass group-member-allowed ||
		fail group-member-allowed "exit $rc: $(short "$out")"
	# The daemon checks the peer itself too, whatever the file modes say.
	chmod 0755 "$RUN"
	chmod 0666 "$SOCK"
	out=$($nobody "$CTL" --socket "$SOCK" list 2>&1); rc=$?
	chmod 02750 "$RUN"
	chmod 0660 "$SOCK"
	[ $rc = 2 ] && echo "$out" | grep -q "permission denied: only root" &&
		pass unauthorized-refused-by-daemon ||
		fail unauthorized-refused-by-daemon "exit $rc: $(short "$out")"
else
	for c in unauthorized-refused group-member-allowed unauthorized-refused-by-daemon; do
		skip $c "no setpriv with --reuid here (busybox's has none)"
	done
fi

# ---- floods ----

# Malformed lines: one error reply each, nothing else.
i=0
while [ $i -lt 500 ]; do
	echo 'not json'
	echo '{"jsonrpc":"2.0","id":1,"method":"nosuch"}'
	i=$((i + 1))
done >"$T/garbage.in"
out=$(ctl raw <"$T/garbage.in" 2>&1)
n1=$(echo "$out" | grep -c '"code":-32700')
n2=$(echo "$out" | grep -c '"code":-32601')
[ "$n1" = 500 ] && [ "$n2" = 500 ] && pass flood-malformed ||
	fail flood-malformed "$n1 parse errors, $n2 method errors of 500 each"
# Pipelined requests: every one answered.
i=0
while [ $i -lt 2000 ]; do
	echo '{"jsonrpc":"2.0","id":'$i',"method":"list"}'
	i=$((i + 1))
done >"$T/pipelined.in"
n=$(ctl raw <"$T/pipelined.in" 2>&1 | grep -c '"result":{"vms"')
[ "$n" = 2000 ] && pass flood-pipelined || fail flood-pipelined "$n of 2000 answered"
# A line over the limit: an error, then the connection closes.
head -c 70000 /dev/zero | tr '\0' 'x' >"$T/long.in"
echo >>"$T/long.in"
echo '{"jsonrpc":"2.0","id":1,"method":"list"}' >>"$T/long.in"
out=$(ctl raw <"$T/long.in" 2>&1)
echo "$out" | grep -q "longer than 65535" && ! echo "$out" | grep -q '"result"' &&
	pass request-too-long || fail request-too-long "$(short "$out")"
# More connections than allowed: the extra ones are told so, and once they
# are gone the daemon answers at once.
i=0 pids=
while [ $i -lt 80 ]; do
	{ sleep 2 | ctl raw >"$T/conn.$i" 2>&1; } &
	pids="$pids $!"
	i=$((i + 1))
done
sleep 1
busy=$(cat "$T"/conn.* 2>/dev/null | grep -c "too many clients")
wait_ok=0
i=0
while [ $i -lt 40 ]; do
	ctl list >/dev/null 2>&1 && { wait_ok=1; break; }
	sleep 0.1
	i=$((i + 1))
done
wait $pids
[ "$busy" -ge 1 ] && [ $wait_ok = 1 ] && pass flood-connections ||
	fail flood-connections "$busy told 'too many clients', answered after: $wait_ok"
# Many clients at once, in waves; then a request still answers promptly.
i=0 pids=
while [ $i -lt 200 ]; do
	ctl list >/dev/null 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
	[ $((i % 40)) = 0 ] && wait $pids && pids=
done
t0=$(date +%s)
out=$(ctl list 2>&1); rc=$?
t1=$(date +%s)
[ $rc = 0 ] && [ $((t1 - t0)) -le 2 ] && pass responsive-after-flood ||
	fail responsive-after-flood "exit $rc after $((t1 - t0)) s"

# ---- the crash loop started first: restarted with growing delays, then no more ----

if [ $FAKE = 1 ]; then
	if wait_reason loop "not restarted" 60 && [ "$(restarts_of loop)" = 5 ]; then
		pass restart-cap
	else
		fail restart-cap "loop $(state_of loop), $(restarts_of loop) restarts: $(reason_of loop)"
	fi
else
	skip restart-cap "needs the fake worker's fake.exit steering"
fi

# ---- kill -9 of VMMS: definitions intact, workers found again ----

ctl start a >/dev/null 2>&1
ctl start b >/dev/null 2>&1
pa=$(pid_of a) pb=$(pid_of b)
remember "$pa"
remember "$pb"
before=$(ctl list 2>/dev/null | awk 'NR > 1 { print $1 }' | sort | tr '\n' ' ')
kill -9 "$VPID"
wait "$VPID" 2>/dev/null
alive "$pa" && alive "$pb" && pass workers-survive-vmms || fail workers-survive-vmms "a $pa b $pb"
# While VMMS is away, b's worker dies: the new VMMS must say so.
kill -9 "$pb"
sleep 0.2
if start_vmms; then pass vmms-restarts; else fail vmms-restarts "$(tail -n 5 "$T/vmms.log" | short)"; fi
after=$(ctl list 2>/dev/null | awk 'NR > 1 { print $1 }' | sort | tr '\n' ' ')
[ "$before" = "$after" ] && pass definitions-intact || fail definitions-intact "'$before' then '$after'"
[ "$(state_of a)" = running ] && [ "$(pid_of a)" = "$pa" ] && info_json a | grep -q '"adopted":true' &&
	pass worker-found-again || fail worker-found-again "a $(state_of a) pid $(pid_of a) (was $pa)"
[ "$(state_of b)" = crashed ] && reason_of b | grep -q "while vmms was not running" &&
	pass dead-worker-reported || fail dead-worker-reported "b $(state_of b): $(reason_of b)"
[ -e "$RUN/b.worker" ] && fail stale-record-removed "$RUN/b.worker" || pass stale-record-removed
expect no-duplicate-start 5 "running" start a
expect adopted-stats 0 "name: *a" stats a
expect adopted-graceful-stop 0 "a: off (stopped)" stop a --timeout 20
ctl start a >/dev/null 2>&1
pa=$(pid_of a)
remember "$pa"
kill -9 "$VPID"
wait "$VPID" 2>/dev/null
start_vmms
kill -9 "$pa"
wait_for a crashed 5 && reason_of a | grep -q "exit status is unknown" &&
	pass adopted-worker-exit-seen || fail adopted-worker-exit-seen "a $(state_of a): $(reason_of a)"

# ---- what ran beside ----

kill "$EVPID" 2>/dev/null
grep -q '"name":"a","state":"stopping","previous":"running"' "$T/events.out" &&
	grep -q '"event":"defined","name":"b"' "$T/events.out" &&
	grep -q '"name":"b","state":"off","previous":"stopping"' "$T/events.out" &&
	pass events || fail events "$(head -c 300 "$T/events.out" | short)"
i=0
while [ ! -e "$T/partial.end" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
took=$(( $(cat "$T/partial.end" 2>/dev/null || echo 0) - partial_t0 ))
[ $took -ge 9 ] && [ $took -le 13 ] && grep -q "request not finished in time" "$T/vmms.log" &&
	pass unfinished-request-dropped || fail unfinished-request-dropped "after $took s"

# ---- no orphans ----

cleanup
sleep 0.3
left=
for w in $WORKERS; do alive "$w" && left="$left $w"; done
[ -z "$left" ] && pass no-orphan-workers || fail no-orphan-workers "still running:$left"
for w in $left; do kill -9 "$w" 2>/dev/null; done

echo "$p passed, $f failed, $s skipped"
if [ $f = 0 ]; then rm -rf "$T"; else echo "vmms: kept $T for a look"; fi
[ $f = 0 ]
