#!/bin/sh
# make check: every suite in turn, then one closing "N passed, N failed"
# over all of them, preceded by every FAIL line again (CI keeps only the
# tail of the output). A suite that ends without its closing line failed.
cd "$(dirname "$0")/.." || exit 1
total_p=0
total_f=0
fails=$(mktemp)
log=$(mktemp)
trap 'rm -f "$fails" "$log"' EXIT
suite() {
	name=$1
	shift
	echo "== $name"
	"$@" 2>&1 | tee "$log"
	out=$(tail -n 1 "$log")
	grep -a '^FAIL ' "$log" | cut -c1-300 >>"$fails"
	p=$(echo "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
	f=$(echo "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
	if [ -z "$p" ]; then
		echo "FAIL $name: suite ended without its summary line" | tee -a "$fails"
		p=0
		f=1
	fi
	total_p=$((total_p + p))
	total_f=$((total_f + f))
}
suite unit tests/unit/run.sh $(find build/tests/unit -name 'test_*' ! -name '*.d' | sort)
suite vmms-api make --no-print-directory -s vmms-api-test
suite hv python3 tests/system/hv.py
suite hv-root python3 tests/system/root.py
suite root python3 tests/system/linux.py
suite vid python3 tests/system/vid.py
suite vmwp python3 tests/system/vmwp.py
suite vmbus python3 tests/system/vmbus.py
suite vmbus-hostile python3 tests/system/vmbus_hostile.py
suite vmms python3 tests/system/vmms.py
echo "== make check"
if [ -s "$fails" ]; then
	echo "failed checks:"
	cat "$fails"
fi
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
