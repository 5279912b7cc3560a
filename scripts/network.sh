#!/usr/bin/env bash
# The govshare Fabric network on this machine: a Fabric CA, a peer and (BFT, the default) a SmartBFT
# orderer per department; GOVSHARE_CONSENSUS=raft instead runs 3 etcdraft orderers of an OrdererMSP.
#   network.sh up       start (or finish starting) everything; running twice is harmless
#   network.sh up --hosts   the same, every organisation on its own host: a network namespace per org
#                       on a private bridge, nodes named <node>.govshare.test (docs/network.md, "Hosts");
#                       fixed for the network's life (certificates name the hosts), so later commands
#                       need no flag
#   network.sh down     stop exactly the processes this script started (chaincode included); in hosts
#                       mode also the gateways, then remove every namespace, link and bridge it made
#   network.sh status   each node with pid, port, state, ledger height; each consenter with its org,
#                       and the BFT leader and view (or the Raft leader)
#   network.sh logs [node]  list the logs, or follow one node's log (e.g. logs peer0.justice)
#   network.sh clean    stop the gateways and the network, then delete all generated state (crypto, ledgers, logs)
#   network.sh stop|start|kill <node>   one node (kill = SIGKILL, for fault tests); e.g. stop orderer2
#   network.sh cut|reconnect <org>      hosts mode: unplug that org's host from the bridge, or plug it back
#   network.sh discovered <org>         wait (at most 60 s) until that org's peer sees the chaincode on every
#                       peer through gossip: after a peer restart, before asking it for endorsements by others
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ "${1:-}" == up && "${2:-}" == --hosts ]]; then export GOVSHARE_TOPOLOGY=hosts; fi
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"
# shellcheck source=scripts/lib/process.sh
source "$here/lib/process.sh"
# shellcheck source=scripts/lib/ca.sh
source "$here/lib/ca.sh"
# shellcheck source=scripts/lib/admin.sh
source "$here/lib/admin.sh"
# shellcheck source=scripts/lib/nodes.sh
source "$here/lib/nodes.sh"
# shellcheck source=scripts/lib/channel.sh
source "$here/lib/channel.sh"
# shellcheck source=scripts/lib/hosts.sh
source "$here/lib/hosts.sh"
# shellcheck source=scripts/lib/discovery.sh
source "$here/lib/discovery.sh"

all_orgs() { echo "${CA_ORGS[@]}"; }

# Every daemon the network runs, in start order: name and the port that shows it is up.
daemons() {
  local org orderer
  for org in $(all_orgs); do echo "ca.$org $(ca_port "$org")"; done
  for orderer in "${ORDERERS[@]}"; do echo "$orderer $(orderer_port "$orderer")"; done
  for org in "${PEER_ORGS[@]}"; do echo "$(peer_name "$org") $(peer_port "$org")"; done
}

up() {
  local started=$SECONDS org orderer
  "$here/install-fabric.sh"
  if [[ -n "$GOVSHARE_CONSENSUS_REQUESTED" && "$GOVSHARE_CONSENSUS_REQUESTED" != "$GOVSHARE_CONSENSUS" ]]; then
    die "this network was created with GOVSHARE_CONSENSUS=$GOVSHARE_CONSENSUS; to switch to $GOVSHARE_CONSENSUS_REQUESTED, delete it first (scripts/network.sh clean)"
  fi
  mkdir -p "$GOVSHARE_STATE" "$LOG_DIR"
  chmod 700 "$GOVSHARE_STATE"
  record_topology
  if hosts_mode; then hosts_up; fi
  render_node_config

  step "starting the Fabric CAs"
  for org in $(all_orgs); do start_ca "$org"; done
  for org in $(all_orgs); do wait_for_ca "$org"; done

  step "enrolling identities (nodes, admins, demo users) from each org's CA"
  for org in $(all_orgs); do enroll_org_identities "$org"; done

  step "starting ${#ORDERERS[@]} $(consensus_label) orderers and ${#PEER_ORGS[@]} peers"
  for orderer in "${ORDERERS[@]}"; do start_orderer "$orderer"; done
  for org in "${PEER_ORGS[@]}"; do start_peer "$org"; done
  for orderer in "${ORDERERS[@]}"; do wait_for_port "$orderer" "$(orderer_admin_port "$orderer")"; done
  for org in "${PEER_ORGS[@]}"; do wait_for_port "$(peer_name "$org")" "$(peer_port "$org")"; done

  step "creating channel $CHANNEL_NAME"
  create_genesis_block
  # All at once: a SmartBFT node that joins alone waits out a sync attempt (about 5 s) and the ones
  # already running would suspect their leader meanwhile and change view before the first block.
  local joins=()
  for orderer in "${ORDERERS[@]}"; do
    join_orderer "$orderer" &
    joins+=($!)
  done
  wait_all "joining the orderers to $CHANNEL_NAME" "${joins[@]}"
  for org in "${PEER_ORGS[@]}"; do join_peer "$org"; done
  wait_for_channel_height
  step "network up in $((SECONDS - started))s ($GOVSHARE_TOPOLOGY topology, state in $GOVSHARE_STATE)"
}

# record_topology: the first `up` fixes the topology; certificates issued for one do not serve the other.
record_topology() {
  if [[ -s "$TOPOLOGY_FILE" ]]; then
    [[ -z "$GOVSHARE_TOPOLOGY_REQUESTED" || "$GOVSHARE_TOPOLOGY_REQUESTED" == "$GOVSHARE_TOPOLOGY" ]] ||
      die "this network was created with the $GOVSHARE_TOPOLOGY topology; for $GOVSHARE_TOPOLOGY_REQUESTED, delete it first (scripts/network.sh clean)"
    return
  fi
  # A network from before topologies were recorded is a loopback one: its certificates name 127.0.0.1 only.
  if [[ -d "$GOVSHARE_STATE/ca" ]] && hosts_mode; then
    die "this network was created on loopback (its certificates name 127.0.0.1 only); for --hosts, delete it first (scripts/network.sh clean)"
  fi
  echo "$GOVSHARE_TOPOLOGY" >"$TOPOLOGY_FILE"
}

# wait_for_channel_height: every peer has received the genesis block from the orderers.
wait_for_channel_height() {
  local org i height
  for org in "${PEER_ORGS[@]}"; do
    for i in $(seq 1 60); do
      height="$(ledger_height "$org")"
      [[ "$height" =~ ^[0-9]+$ && "$height" -ge 1 ]] && break
      sleep 1
    done
    [[ "$height" =~ ^[0-9]+$ ]] || die "$(peer_name "$org") reports no ledger height for $CHANNEL_NAME"
  done
}

# wait_all <what> <pid>...: waits for those background jobs (never the daemons, also children of
# this shell); fails if any failed.
wait_all() {
  local what="$1" pid failed=0
  shift
  for pid in "$@"; do wait "$pid" || failed=1; done
  [[ "$failed" -eq 0 ]] || die "$what failed"
}

down() {
  local name _port org
  # A host is removed with everything on it: the gateways run there too.
  if hosts_mode; then
    for org in "${PEER_ORGS[@]}"; do stop_daemon "gateway.$org" & done
    wait
  fi
  # Peers (and their chaincode) first, then orderers, then CAs; each tier stops in parallel.
  for tier in 'peer0.*' 'orderer*' 'ca.*'; do
    while read -r name _port; do
      # shellcheck disable=SC2053 # $tier is a glob on purpose
      [[ "$name" == $tier ]] && stop_daemon "$name" &
    done < <(daemons)
    wait
  done
  if hosts_mode; then
    hosts_down
    step "removed the hosts: namespaces $NETNS_PREFIX-*, bridge $HOSTS_BRIDGE and their links"
  fi
}

status() {
  local name port state pid height org
  printf '%-20s %-8s %-7s %-8s %s\n' NODE PID PORT STATE HEIGHT
  while read -r name port; do
    pid=-; state=down; height=
    if is_running "$name"; then
      pid="$(running_pid "$name")"
      state=up
    fi
    if [[ "$name" == peer0.* && "$state" == up ]]; then
      org="${name#peer0.}"
      height="$(ledger_height "$org")"
    fi
    if [[ "$name" == orderer* && "$state" == up ]]; then
      height="$(orderer_metric "$name" ledger_blockchain_height)"
    fi
    printf '%-20s %-8s %-7s %-8s %s\n' "$name" "$pid" "$port" "$state" "$height"
  done < <(daemons)
  consensus_status
  if hosts_mode; then hosts_status; fi
}

# hosts_status: each org's host: namespace, address, names and whether its link is up.
hosts_status() {
  local org link
  echo
  echo "Hosts (bridge $HOSTS_BRIDGE, $HOSTS_SUBNET.0/24; this machine is $HOSTS_OPERATOR_IP):"
  printf '%-20s %-14s %-6s %s\n' NAMESPACE ADDRESS LINK NAMES
  for org in "${CA_ORGS[@]}"; do
    link="$(ip -br link show "$(host_veth "$org")" 2>/dev/null | awk '{print $2}')"
    printf '%-20s %-14s %-6s %s\n' "$(org_netns "$org")" "$(org_ip "$org")" "${link:-none}" "$(host_names "$org")"
  done
}

# consensus_status: each consenter with its org (and, in BFT mode, its id, the view it is in and the
# leader it follows), then the channel's leader.
consensus_status() {
  local orderer
  echo
  if [[ "$GOVSHARE_CONSENSUS" == raft ]]; then
    echo "Ordering: Raft (etcdraft), ${#ORDERERS[@]} consenters of OrdererMSP: ${ORDERERS[*]}"
    echo "Raft leader of $CHANNEL_NAME: $(consensus_leader)"
    return
  fi
  local n=${#ORDERERS[@]} f view leader
  f=$(((n - 1) / 3))
  echo "Ordering: SmartBFT, $n consenters (f = $f, quorum $(((n + f + 2) / 2)))"
  printf '%-20s %-3s %-14s %-6s %s\n' CONSENTER ID ORG VIEW LEADER
  for orderer in "${ORDERERS[@]}"; do
    view="$(orderer_metric "$orderer" consensus_smartbft_view_number)"
    leader="$(orderer_metric "$orderer" consensus_smartbft_view_leader_id)"
    printf '%-20s %-3s %-14s %-6s %s\n' "$orderer" "$(consenter_id "$orderer")" "$(msp_id "$(orderer_org "$orderer")")" \
      "${view:--}" "$([[ -n "$leader" ]] && orderer_by_consenter_id "$leader" || echo -)"
  done
  echo "BFT leader of $CHANNEL_NAME: $(consensus_leader)"
}

logs() {
  local node="${1:-}"
  if [[ -z "$node" ]]; then
    echo "Logs in $LOG_DIR (follow one with: scripts/network.sh logs <node>):"
    local log
    for log in "$LOG_DIR"/*.log; do [[ -e "$log" ]] && echo "  $(basename "$log" .log)"; done
    return
  fi
  [[ -f "$(log_file "$node")" ]] || die "no log for '$node'; run 'scripts/network.sh logs' to list them"
  exec tail -n 100 -F "$(log_file "$node")"
}

# node_start <node>: (re)starts one node of an already set-up network and waits for its port.
node_start() {
  local node="$1" port
  port="$(daemons | awk -v n="$node" '$1 == n {print $2}')"
  [[ -n "$port" ]] || die "unknown node '$node'; nodes: $(daemons | awk '{print $1}' | tr '\n' ' ')"
  render_node_config
  case "$node" in
    ca.*) start_ca "${node#ca.}" ;;
    orderer*) start_orderer "$node" ;;
    peer0.*) start_peer "${node#peer0.}" ;;
  esac
  wait_for_port "$node" "$port"
  step "$node running (pid $(running_pid "$node"))"
}

node_kill() {
  local node="$1"
  is_running "$node" || die "$node is not running"
  kill -KILL -- "-$(running_pid "$node")"
  step "killed $node (pid $(running_pid "$node"), SIGKILL)"
}

clean() {
  # The gateways live on the state too (their identities, tokens, stores): a gateway left running on a
  # deleted .govshare/ would keep its port and refuse the next start's gateway.
  "$GOVSHARE_ROOT/scripts/gateways.sh" stop
  down
  rm -rf "$GOVSHARE_STATE"
  step "removed $GOVSHARE_STATE"
}

# link_command <cut|reconnect> <org>: the fault tests' pulled cable.
link_command() {
  local action="$1" org="$2"
  hosts_mode || die "$action needs the hosts topology (scripts/network.sh up --hosts)"
  org_index "$org" >/dev/null
  if [[ "$action" == cut ]]; then host_link "$org" down; else host_link "$org" up; fi
  step "$action: the host of $org ($(org_ip "$org")) is $([[ "$action" == cut ]] && echo "off" || echo "back on") the bridge"
}

case "${1:-}" in
  up) [[ $# -eq 1 || "${2:-}" == --hosts ]] || die "usage: $0 up [--hosts]"; up ;;
  down) down ;;
  status) status ;;
  logs) logs "${2:-}" ;;
  clean) clean ;;
  start) node_start "${2:?usage: $0 start <node>}" ;;
  stop) stop_daemon "${2:?usage: $0 stop <node>}" ;;
  kill) node_kill "${2:?usage: $0 kill <node>}" ;;
  cut | reconnect) link_command "$1" "${2:?usage: $0 $1 <org>}" ;;
  discovered) org_index "${2:?usage: $0 discovered <org>}" >/dev/null && wait_for_org_discovery "$2" ;;
  *) echo "usage: $0 up [--hosts]|down|status|logs [node]|clean|start <node>|stop <node>|kill <node>|cut <org>|reconnect <org>|discovered <org>" >&2; exit 2 ;;
esac
