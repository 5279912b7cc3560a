#!/usr/bin/env bash
# `npm run test:unit`: the fast tier, no network. Typecheck, lint, import cycles and the unit tests of every
# workspace (contract, chaincode, gateway, the scripts' own tests), side by side: jest (2 workers) while
# typecheck, lint and the cycle check run one after the other beside it. Each part's output is printed whole once
# it ends, in a fixed order; the last line is "N passed, N failed" over the four parts.
#
# Warm runs reuse tsc's incremental build info and ESLint's cache (node_modules/.cache/eslint, keyed on file
# contents); `npm test` lints from scratch, so a cache entry made stale by a type change elsewhere cannot hide
# an error there.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

out="$(mktemp -d "${TMPDIR:-/tmp}/govshare-unit.XXXXXX")"
trap 'rm -rf "$out"' EXIT
started=$SECONDS

run_part() {
  local name="$1"
  shift
  local part_started=$SECONDS
  "$@" >"$out/$name.log" 2>&1
  local status=$?
  echo "$status $((SECONDS - part_started))" >"$out/$name.status"
}

run_part unit env NODE_OPTIONS=--experimental-vm-modules npx jest --maxWorkers=2 --selectProjects contract chaincode gateway scripts &
unit_pid=$!
{
  run_part typecheck npm run --silent typecheck
  run_part lint npm run --silent lint
  run_part cycles npm run --silent check:cycles
} &
checks_pid=$!
wait "$unit_pid" "$checks_pid"

passed=0
failed=0
for part in typecheck lint cycles unit; do
  read -r status seconds <"$out/$part.status"
  cat "$out/$part.log"
  if [[ "$status" == 0 ]]; then
    passed=$((passed + 1))
    echo "[test:unit] $part passed (${seconds}s)"
  else
    failed=$((failed + 1))
    echo "[test:unit] $part FAILED (exit $status, ${seconds}s)"
  fi
done
echo "[test:unit] whole run $((SECONDS - started))s"
echo "$passed passed, $failed failed"
[[ "$failed" == 0 ]]
