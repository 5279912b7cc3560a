#!/usr/bin/env bash
# `npm run bench`: side-by-side benchmarks on the running network (start it with `npm start`).
# Deploys the baseline chaincodes beside govshare (a no-op when already deployed): the single-putState
# benchnoop, and fabric-samples' asset-transfer-basic when its sources are at hand (scripts/lib/samples.sh),
# then runs the capacity sweep (bench/src/sweep.ts) and bench/src/run.ts; both rewrite their tables in
# bench/RESULTS.md. Settings: BENCH_CONCURRENCY, BENCH_SECONDS, BENCH_ROUNDS, BENCH_RATE;
# block cutting: GOVSHARE_BATCH_TIMEOUT / GOVSHARE_MAX_MESSAGE_COUNT when the channel is created.
# BENCH_PARTS picks parts (below); BENCH_EVALUATE_CONCURRENCY=8,16,32 runs P1 evaluate at each. `npm run bench -- cpu` instead measures the CPU time per P1 evaluate of each
# process (bench/src/cpu.ts).
# The gateways' per-token rate limit (600/min by default) would turn P1 into a test of the limiter:
# when it is lower than BENCH_RATE_LIMIT (1000000/min), the gateways are restarted with that limit for
# the run and restarted with their usual one at the end (tokens survive restarts).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"
# shellcheck source=scripts/lib/node-deps.sh
source "$here/lib/node-deps.sh"
# shellcheck source=scripts/lib/samples.sh
source "$here/lib/samples.sh"
ensure_node_deps

curl -fs --max-time 2 "http://$GOVSHARE_HOST:$(gateway_port education)/readyz" >/dev/null ||
  die "the education gateway is not ready: run 'npm start' first"

bench_limit="${BENCH_RATE_LIMIT:-1000000}"
current_limit="$(node -e 'const c = require(process.argv[1]); console.log(c.rateLimit ? c.rateLimit.max : 0)' \
  "$GOVSHARE_STATE/gateways/education.json")"
restore_gateways() {
  step "restarting the gateways with their usual rate limit"
  "$here/gateways.sh" stop
  GOVSHARE_GATEWAY_RATE_LIMIT="${saved_limit:-}" "$here/gateways.sh" start
}
if ((current_limit < bench_limit)); then
  saved_limit="${GOVSHARE_GATEWAY_RATE_LIMIT:-}"
  ((current_limit > 0)) && saved_limit="$current_limit"
  step "restarting the gateways with a rate limit of $bench_limit requests per token per minute for the benchmark"
  "$here/gateways.sh" stop
  GOVSHARE_GATEWAY_RATE_LIMIT="$bench_limit" "$here/gateways.sh" start
  trap restore_gateways EXIT
fi
"$here/deploy-chaincode.sh" --name benchnoop --source "$GOVSHARE_ROOT/bench/noop-chaincode"
# fabric-samples' asset-transfer-basic beside it (P2's second baseline), when its sources are at hand.
if basic="$(build_asset_transfer_basic)"; then
  "$here/deploy-chaincode.sh" --name basic --source "$basic"
  export BENCH_ASSET_TRANSFER_BASIC_DEPLOYED=basic
else
  step "asset-transfer-basic is not available (above): P2 runs without that baseline"
fi
cd "$GOVSHARE_ROOT"
npx tsc -p bench/tsconfig.json
if [[ "${1:-}" == cpu ]]; then
  node bench/dist/bench/src/cpu.js
  exit
fi
if [[ "${1:-}" == sweep ]]; then
  node bench/dist/bench/src/sweep.js
  exit
fi
# The default run: the capacity sweep first, then P1–P3 at capacity (closed loops of BENCH_CONCURRENCY, 96 in
# flight, past the knee of the register curve; P3 at half the register capacity the sweep just found), then
# BFT vs Raft. BENCH_PARTS picks parts: sweep, p1-submit, p1-evaluate, p2, p3 (run.ts) and consensus
# (scripts/bench-consensus.sh, a second network).
parts="${BENCH_PARTS:-sweep,p1-submit,p1-evaluate,p2,p3,consensus}"
if [[ ",$parts," == *",sweep,"* ]]; then
  node bench/dist/bench/src/sweep.js
  # shellcheck disable=SC2012 # the newest of our own timestamped files: names without spaces
  BENCH_SWEEP_RESULTS="$(ls -t bench/results/sweep-*.json | head -1)"
  export BENCH_SWEEP_RESULTS
fi
other_parts="$(tr ',' '\n' <<<"$parts" | grep -vxE 'consensus|sweep' | paste -sd, -)" || true
if [[ -n "$other_parts" ]]; then
  BENCH_PARTS="$other_parts" node bench/dist/bench/src/run.js
fi
if [[ ",$parts," == *",consensus,"* ]]; then
  "$here/bench-consensus.sh"
fi
