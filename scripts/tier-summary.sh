#!/usr/bin/env bash
# One line about a test tier, from its mocha output (file $1): the counts mocha printed (passing, pending, failing)
# and the title of every test it skipped, so a tier that skipped something says so in the summary.
set -uo pipefail
clean=$(sed 's/\x1b\[[0-9;]*m//g' "$1")
counts=$(grep -E '^[[:space:]]+[0-9]+ (passing|pending|failing)' <<<"$clean" | sed -E 's/^[[:space:]]+//; s/ \(.*\)$//' | paste -sd, - | sed 's/,/, /g')
# Pending tests are listed before mocha's closing counts; the failure details after them hold diff lines ("- x").
listing=$(awk '/^[[:space:]]+[0-9]+ passing/ { exit } { print }' <<<"$clean")
skipped=$(grep -E '^[[:space:]]+- ' <<<"$listing" | sed -E 's/^[[:space:]]+- //' | paste -sd'|' - | sed 's/|/; /g')
# A tier that is not mocha (static) says what passed in a line "summary: ...".
own=$(grep -E '^summary: ' <<<"$clean" | sed -E 's/^summary: //' | paste -sd';' -)
line="${counts:-${own:-no summary found}}"
[ -n "$skipped" ] && line="$line; skipped: $skipped"
echo "$line"
