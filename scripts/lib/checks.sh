# What the test entry points (test.sh, test-faults.sh) share: counting non-jest checks, finding or
# starting a network, and printing the one totals line CI reads. Sourced, never executed.
# shellcheck shell=bash
# started_here is read by the scripts that source this file.
# shellcheck disable=SC2034

# run_jest <args…>: jest on the pinned runtime. @hyperledger/fabric-gateway 1.12 (through @noble/curves) and
# eventsource-parser 4 are ES modules that CommonJS code require()s; Node 24 does that natively, and Jest
# follows it only where node:vm's SourceTextModule exists, which --experimental-vm-modules turns on.
run_jest() {
  NODE_OPTIONS="--experimental-vm-modules ${NODE_OPTIONS:-}" npx jest "$@"
}

checks_passed=0
checks_failed=0
started_here=false

record_check() { # record_check <name> <exit status>
  if [[ "$2" -eq 0 ]]; then
    checks_passed=$((checks_passed + 1))
  else
    checks_failed=$((checks_failed + 1))
    step "FAILED: $1"
  fi
}

# gateways_ready: this checkout's gateways (by their pid files) are running and ready.
gateways_ready() {
  local org
  for org in "${PEER_ORGS[@]}"; do
    is_running "gateway.$org" || return 1
    gateway_ready "$org" || return 1
  done
}

# use_or_start_network <what for>: reuses a running network (deploying this checkout's chaincode to it
# and restarting its gateways, so the code under test is this checkout's), or starts one and sets
# started_here=true so that the caller stops it again.
use_or_start_network() {
  if gateways_ready; then
    step "reusing the running network: deploying this checkout's chaincode, restarting its gateways"
    "$GOVSHARE_ROOT/scripts/deploy-chaincode.sh" && "$GOVSHARE_ROOT/scripts/gateways.sh" stop &&
      "$GOVSHARE_ROOT/scripts/gateways.sh" start
    record_check "deploy to the running network" $?
  else
    step "starting a network for $1"
    started_here=true
    "$GOVSHARE_ROOT/scripts/start.sh"
    record_check "npm start from scratch" $?
  fi
}

# print_totals <summary file> <jest result json>...: the line "N passed, N failed"; fails unless 0 failed.
print_totals() {
  local summary="$1"; shift
  node "$GOVSHARE_ROOT/scripts/lib/test-totals.js" "$checks_passed" "$checks_failed" "$@" | tee "$summary"
  grep -qE '^[0-9]+ passed, 0 failed$' "$summary"
}

# ensure_chromium: the web console's browser tests drive Debian's Chromium (GOVSHARE_CHROMIUM, default
# /usr/bin/chromium). As root (CI, the project's machines) a missing one is installed with apt-get;
# otherwise this fails and says what to install.
ensure_chromium() {
  local chromium="${GOVSHARE_CHROMIUM:-/usr/bin/chromium}" log="$LOG_DIR/apt-chromium.log"
  [[ -x "$chromium" ]] && return 0
  if [[ "$chromium" != /usr/bin/chromium || "$(id -u)" -ne 0 ]]; then
    step "no Chromium at $chromium: install Debian's package (apt-get install chromium) or set GOVSHARE_CHROMIUM to a Chromium binary"
    return 1
  fi
  step "installing Debian's chromium for the console's browser tests (apt-get; log: $log)"
  mkdir -p "$(dirname "$log")"
  if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } >"$log" 2>&1; then
    step "apt-get install chromium failed; see $log"
    return 1
  fi
  [[ -x "$chromium" ]] || { step "the chromium package is installed but $chromium is missing"; return 1; }
}
