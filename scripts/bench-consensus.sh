#!/usr/bin/env bash
# `npm run bench:consensus`, also the last part of `npm run bench`: the cost of BFT ordering on this
# machine, measured side by side in one run (bench/src/consensus.ts). The checkout's network (started
# with `npm start`, SmartBFT by default) is one side; the other mode runs as a second network for the
# comparison, in $GOVSHARE_STATE/bench-<mode> on ports +500 (GOVSHARE_PORT_BASE and
# GOVSHARE_GATEWAY_PORT_BASE), started here (with the govshare chaincode) and stopped at the end
# unless BENCH_KEEP_NETWORK=1. Both use the same block cutting. Rounds alternate between the two
# networks (BENCH_ROUNDS, default 2), each a capacity phase and a fixed-rate phase (BENCH_SECONDS,
# BENCH_CONSENSUS_CONCURRENCY, BENCH_RATE); the report pools the rounds of each mode.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"
# shellcheck source=scripts/lib/node-deps.sh
source "$here/lib/node-deps.sh"
# shellcheck source=scripts/lib/admin.sh
source "$here/lib/admin.sh"
ensure_node_deps

[[ "$(ledger_height education)" =~ ^[0-9]+$ ]] || die "the network is not running: run 'npm start' first"
this_mode="$GOVSHARE_CONSENSUS"
if [[ "$this_mode" == bft ]]; then other_mode=raft; else other_mode=bft; fi
other_env=(
  GOVSHARE_STATE="$GOVSHARE_STATE/bench-$other_mode"
  GOVSHARE_CONSENSUS="$other_mode"
  GOVSHARE_PORT_BASE="$((GOVSHARE_PORT_BASE + 500))"
  GOVSHARE_GATEWAY_PORT_BASE="$((GOVSHARE_GATEWAY_PORT_BASE + 500))"
)
this_env=(GOVSHARE_STATE="$GOVSHARE_STATE" GOVSHARE_PORT_BASE="$GOVSHARE_PORT_BASE" GOVSHARE_GATEWAY_PORT_BASE="$GOVSHARE_GATEWAY_PORT_BASE")

stop_other() {
  if [[ "${BENCH_KEEP_NETWORK:-}" == 1 ]]; then
    step "leaving the $other_mode network running (${other_env[*]})"
  else
    step "stopping the $other_mode network of the comparison"
    env "${other_env[@]}" "$here/network.sh" down
  fi
}
step "starting a $other_mode network for the comparison (${other_env[*]})"
trap stop_other EXIT
# Same block cutting on both sides: the values this network was created with, unless given.
GOVSHARE_BATCH_TIMEOUT="${GOVSHARE_BATCH_TIMEOUT:-$(sed -nE 's/^  BatchTimeout: (.*)$/\1/p' "$CHANNEL_DIR/configtx.yaml")}"
GOVSHARE_MAX_MESSAGE_COUNT="${GOVSHARE_MAX_MESSAGE_COUNT:-$(sed -nE 's/^    MaxMessageCount: (.*)$/\1/p' "$CHANNEL_DIR/configtx.yaml")}"
export GOVSHARE_BATCH_TIMEOUT GOVSHARE_MAX_MESSAGE_COUNT
env "${other_env[@]}" "$here/network.sh" up
env "${other_env[@]}" "$here/deploy-chaincode.sh"
"$here/deploy-chaincode.sh"

cd "$GOVSHARE_ROOT"
npx tsc -p bench/tsconfig.json
results="$(mktemp -d)"
rounds="${BENCH_ROUNDS:-2}"
files=()
for ((round = 1; round <= rounds; round++)); do
  for side in this other; do
    if [[ "$side" == this ]]; then vars=("${this_env[@]}"); mode="$this_mode"; else vars=("${other_env[@]}"); mode="$other_mode"; fi
    step "round $round of $rounds: $mode"
    env "${vars[@]}" BENCH_ROUND="$round" node bench/dist/bench/src/consensus.js trial "$results/$mode-$round.json"
    files+=("$results/$mode-$round.json")
  done
done
node bench/dist/bench/src/consensus.js report "${files[@]}"
rm -rf "$results"
