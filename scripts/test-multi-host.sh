#!/usr/bin/env bash
# `npm run test:multi-host` (and the last part of `npm test`): the multi-host tests (test/multi-host) on a
# network of their own, every organisation on its own host (network.sh up --hosts: a network namespace per
# org on a private bridge), in the state directory $GOVSHARE_STATE/multi-host. It is created from nothing
# (npm start with the hosts topology), tested (the fault suite of test/faults across the hosts, the
# whole-department backup and restore, then test/multi-host), then removed with `network.sh clean`, and the run checks that
# no namespace, link, bridge or hosts file of it is left. Needs root (network namespaces).
# GOVSHARE_MULTI_HOST_RESULTS=<dir> puts the jest results there (scripts/test.sh counts them).
# Ends with the line "N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
export GOVSHARE_STATE="${GOVSHARE_MULTI_HOST_STATE:-${GOVSHARE_STATE:-$root/.govshare}/multi-host}"
export GOVSHARE_TOPOLOGY=hosts
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"
# shellcheck source=scripts/lib/node-deps.sh
source "$here/lib/node-deps.sh"
# shellcheck source=scripts/lib/process.sh
source "$here/lib/process.sh"
# shellcheck source=scripts/lib/checks.sh
source "$here/lib/checks.sh"

results="${GOVSHARE_MULTI_HOST_RESULTS:-$GOVSHARE_STATE-results}"
rm -rf "$results"
mkdir -p "$results"
[[ "$(id -u)" -eq 0 ]] || die "the multi-host tests create network namespaces: run them as root"

set -e
ensure_node_deps
set +e
cd "$GOVSHARE_ROOT" || exit 1

# hosts_left: namespaces, links or hosts files of this port base that are still there.
hosts_left() {
  {
    ip netns list | awk '{print $1}' | grep -E "^$NETNS_PREFIX-" | sed 's/^/namespace /'
    ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E "^${NETNS_PREFIX}(v[0-9]+|n[0-9]+|br)$" | sed 's/^/link /'
    find /etc/netns -maxdepth 1 -name "$NETNS_PREFIX-*" 2>/dev/null | sed 's/^/hosts file /'
  } || true
}

step "multi-host network from nothing: one namespace per organisation ($NETNS_PREFIX-*, $HOSTS_SUBNET.0/24), state in $GOVSHARE_STATE"
"$here/network.sh" clean >"$results/clean-before.log" 2>&1
started=$SECONDS
"$here/start.sh" >"$results/start.log" 2>&1
record_check "npm start on the multi-host network" $?
step "multi-host network with chaincode and gateways up in $((SECONDS - started))s (log: $results/start.log)"
grep -E 'network up in|deployed in' "$results/start.log" >&2

if gateways_ready; then
  # The fault suite first (it leaves every node up and the consenters in step; the multi-host tests end by
  # adding a department, which changes the network for good).
  step "fault tests across the hosts: SIGKILL and restart under load, quorum lost and regained, a Byzantine orderer (about 4 minutes)"
  GOVSHARE_FAULTS_REPORT="$results/faults-report.txt" \
    run_jest --selectProjects faults --runInBand --forceExit --json --outputFile="$results/faults.json"
  # A whole department destroyed and rebuilt from its archive on its own host (the same test as on loopback):
  # the multi-host tests after it run on the restored department.
  step "backup and restore across the hosts: Finance archived on its host, destroyed, restored (test/integration/backup-restore.test.ts)"
  run_jest --selectProjects integration --runInBand --forceExit --json --outputFile="$results/backup-restore.json" \
    test/integration/backup-restore.test.ts
  step "multi-host tests: the sharing story across hosts, a host cut off, an orderer and a peer killed on their hosts"
  run_jest --selectProjects multi-host --runInBand --forceExit --json --outputFile="$results/multi-host.json"
else
  record_check "gateways ready on the multi-host network" 1
fi
[[ -f "$results/faults-report.txt" ]] && cat "$results/faults-report.txt"
[[ -f "$results/byzantine.txt" ]] && cat "$results/byzantine.txt"

step "removing the multi-host network (network.sh clean)"
"$here/network.sh" clean >"$results/clean.log" 2>&1
record_check "network.sh clean on the multi-host network" $?
left="$(hosts_left)"
[[ -z "$left" ]] || step "left after network.sh clean: $left"
[[ -z "$left" ]]
record_check "no namespace, link, bridge or hosts file of the multi-host network is left" $?

print_totals "$results/summary.txt" "$results/faults.json" "$results/backup-restore.json" "$results/multi-host.json"
