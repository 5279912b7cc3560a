#!/usr/bin/env bash
# One REST gateway per department, each with its own org's identities and peer.
#   gateways.sh start    build, write configs and tokens, start all four, wait until ready
#   gateways.sh stop     stop them
#   gateways.sh status   pid, URL and readiness of each
#   gateways.sh start|stop|kill <org>   one gateway (already built and configured; kill = SIGKILL, for fault tests)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"
# shellcheck source=scripts/lib/process.sh
source "$here/lib/process.sh"
# shellcheck source=scripts/lib/node-deps.sh
source "$here/lib/node-deps.sh"

gateway_name() { echo "gateway.$1"; }

write_configs() {
  local specs=() org
  for org in "${PEER_ORGS[@]}"; do
    specs+=("$org=$(msp_id "$org"),$(gateway_port "$org"),$(peer_port "$org"),$(data_exchange_port "$org"),$(ca_port "$org"),$(org_ip "$org"),$(node_host "$(peer_name "$org")"),$(node_host "gateway.$org"),$(node_host "ca.$org")$(if hosts_mode; then echo ",$(gateway_ops_port "$org")"; fi)")
  done
  node "$here/lib/write-gateway-config.js" "$GOVSHARE_STATE" "${specs[@]}"
}

wait_until_ready() {
  local org="$1" i
  for i in $(seq 1 150); do
    if gateway_ready "$org"; then return; fi
    is_running "$(gateway_name "$org")" || die "gateway for $org exited; see $(log_file "$(gateway_name "$org")")"
    sleep 0.2
  done
  die "gateway for $org is not ready after 30s; see $(log_file "$(gateway_name "$org")")"
}

start() {
  [[ -d "$GOVSHARE_STATE/orgs" ]] || die "the network is not set up: run scripts/network.sh up first"
  ensure_node_deps
  step "building the gateway and its web console"
  (cd "$GOVSHARE_ROOT" && npx tsc -b gateway && npm run --silent build:console -w gateway)
  write_configs
  local org
  for org in "${PEER_ORGS[@]}"; do
    start_daemon "$(gateway_name "$org")" \
      GOVSHARE_GATEWAY_CONFIG="$GOVSHARE_STATE/gateways/$org.json" NODE_ENV=production \
      -- "$GOVSHARE_NODE" "$GOVSHARE_ROOT/gateway/dist/server.js"
  done
  for org in "${PEER_ORGS[@]}"; do wait_until_ready "$org"; done
  step "gateways ready; URLs and tokens in $GOVSHARE_STATE/gateways.json"
}

stop() {
  local org
  for org in "${PEER_ORGS[@]}"; do stop_daemon "$(gateway_name "$org")"; done
}

start_one() {
  local org="$1"
  org_index "$org" >/dev/null
  [[ -f "$GOVSHARE_STATE/gateways/$org.json" && -f "$GOVSHARE_ROOT/gateway/dist/server.js" ]] ||
    die "the gateway of $org is not built and configured yet: run $0 start"
  start_daemon "$(gateway_name "$org")" \
    GOVSHARE_GATEWAY_CONFIG="$GOVSHARE_STATE/gateways/$org.json" NODE_ENV=production \
    -- "$GOVSHARE_NODE" "$GOVSHARE_ROOT/gateway/dist/server.js"
  wait_until_ready "$org"
  step "gateway of $org ready (pid $(running_pid "$(gateway_name "$org")"))"
}

kill_one() {
  local name
  name="$(gateway_name "$1")"
  is_running "$name" || die "$name is not running"
  kill -KILL -- "-$(running_pid "$name")"
  step "killed $name (pid $(running_pid "$name"), SIGKILL)"
  rm -f "$(pid_file "$name")"
}

status() {
  local org name pid ready
  printf '%-20s %-8s %-40s %s\n' GATEWAY PID URL READY
  for org in "${PEER_ORGS[@]}"; do
    name="$(gateway_name "$org")"
    pid=-; ready=no
    is_running "$name" && pid="$(running_pid "$name")"
    gateway_ready "$org" && ready=yes
    printf '%-20s %-8s %-40s %s\n' "$name" "$pid" "$(gateway_url "$org")" "$ready"
  done
}

case "${1:-}" in
  start) if [[ $# -ge 2 ]]; then start_one "$2"; else start; fi ;;
  stop) if [[ $# -ge 2 ]]; then stop_daemon "$(gateway_name "$2")"; else stop; fi ;;
  kill) kill_one "${2:?usage: $0 kill <org>}" ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status, or start|stop|kill <org>" >&2; exit 2 ;;
esac
