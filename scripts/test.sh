#!/usr/bin/env bash
# `npm test`: typecheck + lint, unit tests, then integration tests against a real Fabric network, then
# the fault suite on a network of its own (test-faults.sh), then the fault suite again and the multi-host
# tests on a network with every organisation on its own host (test-multi-host.sh).
# If a network with ready gateways is already running it is reused (the checkout's chaincode is
# deployed to it and its gateways restarted, so the code under test is this checkout's);
# otherwise the network is started here and stopped again afterwards.
# Ends with the line "N passed, N failed" and exits non-zero on any failure.
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

results="$GOVSHARE_STATE/test-results"
rm -rf "$results"
mkdir -p "$results"

set -e
ensure_node_deps
set +e
cd "$GOVSHARE_ROOT" || exit 1

step "Fabric binaries: installed from the cache, the source archives or the Go module proxy"
"$here/install-fabric.sh"
record_check "Fabric binaries installed" $?
"$here/install-fabric.sh" --check
record_check "peer, orderer and fabric-ca-server report the pinned versions" $?

step "typecheck (contract, chaincode, gateway with their tests, console, integration and script tests, bench)"
npm run --silent typecheck
record_check typecheck $?

step "lint (ESLint strictTypeChecked on .ts/.tsx, recommended on .js/.cjs/.mjs, chaincode determinism rules)"
# From scratch, not `npm run lint`'s cache: a typed rule's verdict on a file can change with another file.
npx eslint . --max-warnings 0
record_check eslint $?

step "no import cycles (dpdm, type-only imports included)"
npm run --silent check:cycles
record_check "no import cycles" $?

step "lint shell scripts (shellcheck)"
ensure_shellcheck && mapfile -t scripts < <(shell_sources) &&
  "$SHELLCHECK" -x -P SCRIPTDIR:scripts:scripts/lib "${scripts[@]}"
record_check shellcheck $?

step "Chromium for the web console's browser tests"
ensure_chromium
record_check "chromium installed" $?

step "Kubernetes manifest validator (kubeconform, kubernetes-validate) for deploy/kubernetes"
(source "$here/lib/k8s.sh" && ensure_k8s_tools)
record_check "Kubernetes manifest validator installed" $?

step "unit tests"
run_jest --selectProjects contract chaincode gateway scripts --json --outputFile="$results/unit.json"

result_files=("$results/unit.json" "$results/integration.json")
use_or_start_network "the integration tests"
if [[ "$started_here" == true ]]; then
  step "npm start again must be harmless"
  "$here/start.sh" >"$results/second-start.log" 2>&1
  record_check "second npm start is harmless" $?
fi

if gateways_ready; then
  step "integration tests on the real network"
  run_jest --selectProjects integration --runInBand --forceExit --testPathIgnorePatterns add-department \
    --json --outputFile="$results/integration.json"
  step "fuzzing each gateway's OpenAPI document (schemathesis)"
  "$here/fuzz-api.sh"
  record_check "schemathesis fuzz of the gateways" $?
  # Adding a department changes the channel's membership for good, so it runs last, and only on
  # a network that this run started and throws away.
  if [[ "$started_here" == true ]]; then
    step "adding a department to the running channel (scripts/add-department.sh)"
    GOVSHARE_TEST_ADD_DEPARTMENT=1 run_jest --selectProjects integration --runInBand --forceExit \
      test/integration/add-department --json --outputFile="$results/add-department.json"
    result_files+=("$results/add-department.json")
  else
    step "add-department tests left out on a reused network (they change its channel for good);" \
      "run them with GOVSHARE_TEST_ADD_DEPARTMENT=1 NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects integration test/integration/add-department"
  fi
else
  record_check "gateways ready for integration tests" 1
fi

# no_process_left <pgid...>: every process group that govshare started is gone.
no_process_left() {
  local pgid left=0
  for pgid in "$@"; do
    if group_alive "$pgid"; then
      step "process group $pgid is still running after npm stop"
      left=1
    fi
  done
  return "$left"
}

if [[ "$started_here" == true ]]; then
  step "stopping the network started for the tests"
  pgids=()
  for file in "$PID_DIR"/*.pid; do pgids+=("$(awk '{print $1}' "$file")"); done
  "$here/stop.sh" >/dev/null
  no_process_left "${pgids[@]}"
  record_check "npm stop leaves no process behind" $?
fi

# The fault suite kills and restarts nodes and serves an altered ledger from one orderer, so it gets a
# network of its own, created from nothing in $GOVSHARE_STATE/faults after the integration network has
# stopped and removed again afterwards (one network at a time on the machine). On a reused network (a
# developer's, still running on the same ports) it is left out.
if [[ "${GOVSHARE_SKIP_FAULTS:-}" == 1 || "$started_here" != true ]]; then
  step "fault tests left out (GOVSHARE_SKIP_FAULTS=1 or a reused network); run them with: npm run test:faults"
else
  faults_state="$GOVSHARE_STATE/faults"
  step "fault tests on a network of their own (scripts/test-faults.sh, state in $faults_state, about 5 minutes)"
  GOVSHARE_STATE="$faults_state" "$here/network.sh" clean >"$results/faults-clean-before.log" 2>&1
  GOVSHARE_STATE="$faults_state" GOVSHARE_FAULTS_RESULTS="$results/faults" "$here/test-faults.sh"
  record_check "fault suite: started from nothing, nodes killed under load, every node up again" $?
  GOVSHARE_STATE="$faults_state" "$here/network.sh" clean >"$results/faults-clean.log" 2>&1
  record_check "network.sh clean on the fault network" $?
  result_files+=("$results/faults/faults.json")
fi

# Every organisation on its own host: a second network, of network namespaces, created and removed by
# scripts/test-multi-host.sh after the loopback one has stopped (one network at a time on the machine).
if [[ "${GOVSHARE_SKIP_MULTI_HOST:-}" == 1 ]]; then
  step "multi-host tests left out (GOVSHARE_SKIP_MULTI_HOST=1); run them with: npm run test:multi-host"
else
  step "fault and multi-host tests across hosts, on a network of their own (scripts/test-multi-host.sh, about 9 minutes)"
  GOVSHARE_MULTI_HOST_RESULTS="$results/multi-host" "$here/test-multi-host.sh"
  record_check "multi-host network: started, tested and removed with nothing left" $?
  result_files+=("$results/multi-host/faults.json" "$results/multi-host/backup-restore.json" "$results/multi-host/multi-host.json")
fi

print_totals "$results/summary.txt" "${result_files[@]}"
