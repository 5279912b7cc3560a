#!/usr/bin/env bash
# `npm run test:faults`: fault tests on a real network (test/faults, issues #6 and #17), in the
# network's ordering mode (SmartBFT by default). Under steady load through the gateways the ordering
# leader and a peer are SIGKILLed and restarted, then the orderers lose their quorum (BFT: 2 of 4,
# Raft: 2 of 3) until one is back; in BFT mode one orderer also serves a ledger altered on disk. The
# tests check what was answered against what the ledgers hold. `npm test` runs it on a network of its own.
# If a network with ready gateways is already running it is reused (the checkout's chaincode is
# deployed to it and its gateways restarted, as `npm test` does); otherwise the network is started
# here and stopped again afterwards. Only 127.0.0.1 is loaded, for about two minutes.
# Ends with the line "N passed, N failed" and exits non-zero on any failure; the timeline and the
# measured numbers are printed before it and kept in $GOVSHARE_STATE/fault-results/report.txt
# (or $GOVSHARE_FAULTS_RESULTS/report.txt).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"
# shellcheck source=scripts/lib/node-deps.sh
source "$here/lib/node-deps.sh"
# shellcheck source=scripts/lib/process.sh
source "$here/lib/process.sh"
# shellcheck source=scripts/lib/checks.sh
source "$here/lib/checks.sh"

results="${GOVSHARE_FAULTS_RESULTS:-$GOVSHARE_STATE/fault-results}"

set -e
ensure_node_deps
set +e
cd "$GOVSHARE_ROOT" || exit 1

use_or_start_network "the fault tests"

rm -rf "$results"
mkdir -p "$results"
if gateways_ready; then
  step "fault tests: SIGKILL and restart of nodes under load, a Byzantine orderer in BFT mode (about 4 minutes)"
  GOVSHARE_FAULTS_REPORT="$results/report.txt" \
    run_jest --selectProjects faults --runInBand --forceExit \
    --json --outputFile="$results/faults.json"
else
  record_check "gateways ready for the fault tests" 1
fi

# The tests restart every node they killed; a node left down would break the next user of the network.
nodes_up() {
  local name _port state rc=0
  while read -r name _pid _port state _height; do
    [[ -n "$name" ]] || break # the node table ends at the first empty line (the consenter table follows)
    if [[ "$name" =~ ^(ca\.|orderer|peer0\.) && "$state" != up ]]; then
      step "$name is $state after the fault tests"
      rc=1
    fi
  done < <("$here/network.sh" status)
  return "$rc"
}
nodes_up
record_check "every node is up again after the fault tests" $?

if [[ "$started_here" == true ]]; then
  step "stopping the network started for the fault tests"
  "$here/stop.sh" >/dev/null
  record_check "npm stop" $?
fi

[[ -f "$results/report.txt" ]] && cat "$results/report.txt"
[[ -f "$results/byzantine.txt" ]] && cat "$results/byzantine.txt"
print_totals "$results/summary.txt" "$results/faults.json"
