# Orderers, peers and the channel. Sourced, never executed.
# shellcheck shell=bash

BUILDERS_DIR="$GOVSHARE_ROOT/network/builders"
# Fabric's default log format colours every line; logs go to files, so keep them plain.
NODE_LOG_FORMAT='%{time:2006-01-02 15:04:05.000 MST} %{level:.4s} [%{module}] %{shortfunc} -> %{message}'


# render_node_config: core.yaml and orderer.yaml come from the sampleconfig cached with the pinned
# binaries; every per-node value is overridden by environment variables at start. Only the list of
# external builders cannot be expressed as an environment variable, so it is written into core.yaml.
# Each file is written under a temporary name and renamed into place: nodes restarted at the same time
# (the fault tests restart two orderers at once) render concurrently, and none may read a half-written file.
render_node_config() {
  local orderer_yaml core_yaml
  mkdir -p "$NODE_CONFIG_DIR"
  [[ -f "$FABRIC_CONFIG/core.yaml" ]] || die "missing $FABRIC_CONFIG/core.yaml: run scripts/install-fabric.sh"
  orderer_yaml="$(mktemp "$NODE_CONFIG_DIR/.orderer.yaml.XXXXXX")"
  core_yaml="$(mktemp "$NODE_CONFIG_DIR/.core.yaml.XXXXXX")"
  cp "$FABRIC_CONFIG/orderer.yaml" "$orderer_yaml"
  awk -v builders="$BUILDERS_DIR" '
    /^  externalBuilders:/ {
      print "  externalBuilders:"
      print "    - name: govshare-node"
      print "      path: " builders "/node"
      print "      propagateEnvironment:"
      print "        - HOME"
      print "        - PATH"
      print "        - GOVSHARE_STATE"
      print "        - CORE_CHAINCODE_LOGGING_LEVEL"
      print "        - GOVSHARE_CHAINCODE_NODE"
      skipping = 1; next
    }
    skipping && /^  [A-Za-z#]/ { skipping = 0 }
    skipping { next }
    { print }
  ' "$FABRIC_CONFIG/core.yaml" >"$core_yaml"
  if ! grep -q 'govshare-node' "$core_yaml"; then
    rm -f "$orderer_yaml" "$core_yaml"
    die "could not configure the external builder in core.yaml"
  fi
  chmod 644 "$orderer_yaml" "$core_yaml"
  mv -f "$orderer_yaml" "$NODE_CONFIG_DIR/orderer.yaml"
  mv -f "$core_yaml" "$NODE_CONFIG_DIR/core.yaml"
}

# Both modes share one listener for clients, the admin-free cluster traffic and block replication.
# Cluster TLS trust follows the channel: each orderer adds the TLS CAs of the channel's orderer orgs
# (every consenting department in BFT mode) to its own, so the local root is its own org's CA only.
orderer_env() {
  local name="$1" dir tls data ip
  dir="$(orderer_home "$name")"
  ip="$(org_ip "$(orderer_org "$name")")"
  tls="$dir/tls"
  data="$(orderer_data_dir "$name")"
  cat <<ENV
FABRIC_CFG_PATH=$NODE_CONFIG_DIR
FABRIC_LOGGING_SPEC=${GOVSHARE_ORDERER_LOGGING:-info:grpc,comm.grpc.server=warning}
FABRIC_LOGGING_FORMAT=$NODE_LOG_FORMAT
ORDERER_GENERAL_LISTENADDRESS=$ip
ORDERER_GENERAL_LISTENPORT=$(orderer_port "$name")
ORDERER_GENERAL_LOCALMSPID=$(msp_id "$(orderer_org "$name")")
ORDERER_GENERAL_LOCALMSPDIR=$dir/msp
ORDERER_GENERAL_TLS_ENABLED=true
ORDERER_GENERAL_TLS_PRIVATEKEY=$tls/server.key
ORDERER_GENERAL_TLS_CERTIFICATE=$tls/server.crt
ORDERER_GENERAL_TLS_ROOTCAS=[$tls/ca.crt]
ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE=$tls/server.crt
ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY=$tls/server.key
ORDERER_GENERAL_CLUSTER_ROOTCAS=[$tls/ca.crt]
ORDERER_GENERAL_BOOTSTRAPMETHOD=none
ORDERER_CHANNELPARTICIPATION_ENABLED=true
ORDERER_ADMIN_LISTENADDRESS=$ip:$(orderer_admin_port "$name")
ORDERER_ADMIN_TLS_ENABLED=true
ORDERER_ADMIN_TLS_CERTIFICATE=$tls/server.crt
ORDERER_ADMIN_TLS_PRIVATEKEY=$tls/server.key
ORDERER_ADMIN_TLS_ROOTCAS=[$tls/ca.crt]
ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED=true
ORDERER_ADMIN_TLS_CLIENTROOTCAS=[$tls/ca.crt]
ORDERER_OPERATIONS_LISTENADDRESS=$ip:$(orderer_ops_port "$name")
ORDERER_METRICS_PROVIDER=prometheus
ORDERER_FILELEDGER_LOCATION=$data/ledger
ENV
  if [[ "$GOVSHARE_CONSENSUS" == bft ]]; then
    echo "ORDERER_CONSENSUS_WALDIR=$data/smartbft/wal"
  else
    echo "ORDERER_CONSENSUS_WALDIR=$data/etcdraft/wal"
    echo "ORDERER_CONSENSUS_SNAPDIR=$data/etcdraft/snapshot"
  fi
}

# Nothing logs once per transaction at info by default: a read-heavy gateway would make that thousands of lines
# a second, each a write(2) (Fabric's metrics carry the same durations). So the peer's endorser logs at warning
# ("finished chaincode: … duration" for every proposal), and GOVSHARE_CHAINCODE_LOGGING, the chaincode
# processes' level, is warning: the Node shim reads CORE_CHAINCODE_LOGGING_LEVEL only (the peer passes it on
# through core.yaml's propagateEnvironment), and at info it logs every transaction and the peer copies each
# line into its own log. Failed transactions are still logged (at warning/error).
#
# The chaincode address is what the peer tells its chaincode processes to dial, and the peer issues
# its chaincode listener a certificate for exactly that host: a name, because TLS server names must be
# host names (Node 26 refuses an IP address as one, Node 24 deprecates it, DEP0123). In hosts mode
# the peer listens on its host's address only, so that name is the peer's own host name.
#
# The peer's address, gossip bootstrap and external endpoint are its host name (node_host): what the
# other orgs' peers, the gateways and discovery clients dial, and what its TLS certificate names.
peer_env() {
  local org="$1" peer dir tls port ip host chaincode_host=localhost
  peer="$(peer_name "$org")"
  ip="$(org_ip "$org")"
  host="$(node_host "$peer")"
  if hosts_mode; then chaincode_host="$host"; fi
  dir="$(org_dir "$org")/nodes/$peer"
  tls="$dir/tls"
  port="$(peer_port "$org")"
  cat <<ENV
FABRIC_CFG_PATH=$NODE_CONFIG_DIR
FABRIC_LOGGING_SPEC=${GOVSHARE_PEER_LOGGING:-info:gossip,grpc,comm.grpc.server,endorser=warning}
FABRIC_LOGGING_FORMAT=$NODE_LOG_FORMAT
CORE_PEER_ID=$peer
CORE_PEER_ADDRESS=$host:$port
CORE_PEER_LISTENADDRESS=$ip:$port
CORE_PEER_CHAINCODEADDRESS=$chaincode_host:$(peer_chaincode_port "$org")
CORE_PEER_CHAINCODELISTENADDRESS=$ip:$(peer_chaincode_port "$org")
CORE_PEER_GOSSIP_BOOTSTRAP=$host:$port
CORE_PEER_GOSSIP_EXTERNALENDPOINT=$host:$port
CORE_PEER_LOCALMSPID=$(msp_id "$org")
CORE_PEER_MSPCONFIGPATH=$dir/msp
CORE_PEER_TLS_ENABLED=true
CORE_PEER_TLS_CERT_FILE=$tls/server.crt
CORE_PEER_TLS_KEY_FILE=$tls/server.key
CORE_PEER_TLS_ROOTCERT_FILE=$tls/ca.crt
CORE_PEER_DELIVERYCLIENT_BLOCKCENSORSHIPTIMEOUTKEY=${GOVSHARE_BLOCK_CENSORSHIP_TIMEOUT:-5s}
CORE_PEER_FILESYSTEMPATH=$(node_dir "$peer")/data
CORE_LEDGER_SNAPSHOTS_ROOTDIR=$(node_dir "$peer")/snapshots
CORE_OPERATIONS_LISTENADDRESS=$ip:$(peer_ops_port "$org")
CORE_METRICS_PROVIDER=prometheus
CORE_VM_ENDPOINT=
CORE_CHAINCODE_LOGGING_LEVEL=${GOVSHARE_CHAINCODE_LOGGING:-warning}
GOVSHARE_CHAINCODE_NODE=$GOVSHARE_NODE
ENV
}

start_orderer() {
  local name="$1" vars=()
  mkdir -p "$(orderer_data_dir "$name")"
  mapfile -t vars < <(orderer_env "$name")
  start_daemon "$name" "${vars[@]}" -- orderer
}

start_peer() {
  local org="$1" peer vars=()
  peer="$(peer_name "$org")"
  mkdir -p "$(node_dir "$peer")"
  mapfile -t vars < <(peer_env "$org")
  start_daemon "$peer" "${vars[@]}" -- peer node start
}
