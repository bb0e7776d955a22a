#!/bin/sh
# Runs every unit-test binary given and closes with one "N passed, N failed"
# over all of them. A binary that crashes or reports nothing is a failure.
passed=0
failed=0
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	echo "$out" | grep -E '^(PASS|FAIL|SKIP) '
	p=$(echo "$out" | grep -c '^PASS ')
	f=$(echo "$out" | grep -c '^FAIL ')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL unit/$(basename "$t"): exited with status $rc"
		echo "$out" | tail -n 20 | sed 's/^/    /'
		f=1
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL unit/$(basename "$t"): reported no results"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
