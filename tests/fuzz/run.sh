#!/bin/sh
# Runs each libFuzzer target for the given seconds; prints executions and
# crashes per target. Crash inputs are kept in build/tests/fuzz/crashes/.
seconds=$1
shift
dir=build/tests/fuzz
mkdir -p "$dir/crashes"
crashes=0
for t in "$@"; do
	name=$(basename "$t")
	mkdir -p "$dir/corpus/$name"
	out=$("$t" -max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="$dir/crashes/$name-" "$dir/corpus/$name" 2>&1)
	rc=$?
	execs=$(echo "$out" | sed -n 's/^stat::number_of_executed_units: *//p')
	if [ "$rc" -ne 0 ]; then
		crashes=$((crashes + 1))
		echo "fuzz $name: ${execs:-?} executions, CRASH"
		echo "$out" | grep -E 'ERROR|SUMMARY|Test unit written' | sed 's/^/    /'
	else
		echo "fuzz $name: $execs executions in ${seconds}s, 0 crashes"
	fi
done
[ "$crashes" -eq 0 ]
