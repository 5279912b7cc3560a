# The application channel: genesis block, orderers join through the admin API, peers join.
# Sourced, never executed.
# shellcheck shell=bash

# org_yaml <org> [application|orderer]: a department's definition in configtx form: MSP, policies,
# anchor peer and, when it runs a BFT orderer, that orderer's endpoint. The one definition of an
# org: the genesis block and scripts/add-department.sh (configtxgen -printOrg) both use it.
#   application  without the orderer endpoint (printOrg then prints the Application org group)
#   orderer      the org as a member of the Orderer group: its policies there and its endpoint
org_yaml() {
  local org="$1" part="${2:-}" mspid
  mspid="$(msp_id "$org")"
  if [[ "$org" == orderer ]]; then
    cat <<YAML
  - &$mspid
    Name: $mspid
    ID: $mspid
    MSPDir: $(org_dir orderer)/msp
    Policies:
      Readers: { Type: Signature, Rule: "OR('$mspid.member')" }
      Writers: { Type: Signature, Rule: "OR('$mspid.member')" }
      Admins: { Type: Signature, Rule: "OR('$mspid.admin')" }
    OrdererEndpoints:
$(for orderer in "${ORDERERS[@]}"; do echo "      - $(node_host "$orderer"):$(orderer_port "$orderer")"; done)
YAML
    return
  fi
  cat <<YAML
  - &$mspid
    Name: $mspid
    ID: $mspid
    MSPDir: $(org_dir "$org")/msp
YAML
  if [[ "$part" == orderer ]]; then
    echo "    Policies:"
    orderer_policies_yaml "$mspid" "      "
  else
    cat <<YAML
    Policies:
      Readers: { Type: Signature, Rule: "OR('$mspid.admin', '$mspid.peer', '$mspid.client')" }
      Writers: { Type: Signature, Rule: "OR('$mspid.admin', '$mspid.client')" }
      Admins: { Type: Signature, Rule: "OR('$mspid.admin')" }
      Endorsement: { Type: Signature, Rule: "OR('$mspid.peer')" }
    AnchorPeers:
      - { Host: $(node_host "$(peer_name "$org")"), Port: $(peer_port "$org") }
YAML
  fi
  if [[ "$part" != application && " ${ORDERERS[*]} " == *" $(orderer_name "$org") "* ]]; then
    cat <<YAML
    OrdererEndpoints:
      - $(node_host "$(orderer_name "$org")"):$(orderer_port "$(orderer_name "$org")")
YAML
  fi
}

# orderer_policies_yaml <MSP id> <indent>: a department's policies as a member of the Orderer group.
# It keeps its MSP, but its orderer identity (NodeOU "orderer") must read and write on the ordering
# side: it pulls blocks from the other consenters and forwards requests to the leader.
orderer_policies_yaml() {
  local mspid="$1" indent="$2"
  cat <<YAML
${indent}Readers: { Type: Signature, Rule: "OR('$mspid.admin', '$mspid.peer', '$mspid.client', '$mspid.orderer')" }
${indent}Writers: { Type: Signature, Rule: "OR('$mspid.admin', '$mspid.client', '$mspid.orderer')" }
${indent}Admins: { Type: Signature, Rule: "OR('$mspid.admin')" }
YAML
}

# orderer_org_yaml <org>: the org in the genesis profile's Orderer section.
orderer_org_yaml() {
  local org="$1" mspid
  mspid="$(msp_id "$org")"
  if [[ "$org" == orderer ]]; then
    echo "        - *$mspid"
    return
  fi
  echo "        - <<: *$mspid"
  echo "          Policies:"
  orderer_policies_yaml "$mspid" "            "
}

# consenter_yaml <orderer node>: one entry of the BFT consenter mapping. SmartBFT nodes know each
# other by their enrolment certificate (Identity) and their id; the TLS certificates are pinned.
consenter_yaml() {
  local orderer="$1" home
  home="$(orderer_home "$orderer")"
  cat <<YAML
      - ID: $(consenter_id "$orderer")
        Host: $(node_host "$orderer")
        Port: $(orderer_port "$orderer")
        MSPID: $(msp_id "$(orderer_org "$orderer")")
        Identity: $home/msp/signcerts/cert.pem
        ClientTLSCert: $home/tls/server.crt
        ServerTLSCert: $home/tls/server.crt
YAML
}

# consensus_yaml: the ordering section of the channel. The SmartBFT values are tuned for nodes on
# one machine (docs/network.md, "Ordering", says why each one); upstream's defaults are WAN-scale
# (a silent leader is suspected only after a minute).
consensus_yaml() {
  local orderer
  if [[ "$GOVSHARE_CONSENSUS" == raft ]]; then
    cat <<YAML
  OrdererType: etcdraft
  EtcdRaft:
    Consenters:
$(for orderer in "${ORDERERS[@]}"; do
      cat <<ENTRY
      - Host: $(node_host "$orderer")
        Port: $(orderer_port "$orderer")
        ClientTLSCert: $(orderer_home "$orderer")/tls/server.crt
        ServerTLSCert: $(orderer_home "$orderer")/tls/server.crt
ENTRY
    done)
    Options:
      # Every node is on loopback: a 250 ms tick elects a new leader within 2.5-5 s of a crash
      # (ElectionTick x TickInterval, randomised up to twice that), where 500 ms took up to ~14 s.
      TickInterval: 250ms
      ElectionTick: 10
      HeartbeatTick: 1
      MaxInflightBlocks: 5
      SnapshotIntervalSize: 16 MB
YAML
    return
  fi
  cat <<YAML
  OrdererType: BFT
  ConsenterMapping:
$(for orderer in "${ORDERERS[@]}"; do consenter_yaml "$orderer"; done)
  SmartBFT:
    RequestBatchMaxInterval: ${GOVSHARE_BATCH_TIMEOUT:-250ms}
    RequestForwardTimeout: 1s
    RequestComplainTimeout: 4s
    RequestAutoRemoveTimeout: 1m
    ViewChangeResendInterval: 1s
    ViewChangeTimeout: 4s
    LeaderHeartbeatTimeout: 3s
    LeaderHeartbeatCount: 10
    CollectTimeout: 1s
    IncomingMessageBufferSize: 500
    RequestPoolSize: 2000
    SyncOnStart: false
    SpeedUpViewChange: false
YAML
}

render_configtx() {
  mkdir -p "$CHANNEL_DIR"
  local org organizations="" orderer_members="" application_orgs="" consensus text
  for org in "${ORDERER_ORGS[@]}"; do
    [[ "$org" == orderer ]] && organizations+="$(org_yaml orderer)"$'\n'
    orderer_members+="$(orderer_org_yaml "$org")"$'\n'
  done
  for org in "${PEER_ORGS[@]}"; do
    organizations+="$(org_yaml "$org")"$'\n'
    application_orgs+="        - *$(msp_id "$org")"$'\n'
  done
  consensus="$(consensus_yaml)"
  organizations="${organizations%$'\n'}"
  orderer_members="${orderer_members%$'\n'}"
  application_orgs="${application_orgs%$'\n'}"
  text="$(<"$GOVSHARE_ROOT/network/configtx.yaml.tmpl")"
  # Quoted replacements: YAML anchors start with '&', which bash would read as "the matched text".
  text="${text//@ORGANIZATIONS@/"$organizations"}"
  text="${text//@CONSENSUS@/"$consensus"}"
  text="${text//@ORDERER_ORGANIZATIONS@/"$orderer_members"}"
  text="${text//@APPLICATION_ORGANIZATIONS@/"$application_orgs"}"
  text="${text//@BATCH_TIMEOUT@/"${GOVSHARE_BATCH_TIMEOUT:-250ms}"}"
  text="${text//@MAX_MESSAGE_COUNT@/"${GOVSHARE_MAX_MESSAGE_COUNT:-100}"}"
  printf '%s\n' "$text" >"$CHANNEL_DIR/configtx.yaml"
}

genesis_block() { echo "$CHANNEL_DIR/$CHANNEL_NAME.block"; }

create_genesis_block() {
  [[ -f "$(genesis_block)" ]] && return
  render_configtx
  configtxgen -configPath "$CHANNEL_DIR" -profile GovChannel -channelID "$CHANNEL_NAME" \
    -outputBlock "$(genesis_block).partial" >>"$LOG_DIR/configtxgen.log" 2>&1 ||
    die "configtxgen failed; see $LOG_DIR/configtxgen.log"
  # From now on the mode is a fact of this network, whatever a later shell's GOVSHARE_CONSENSUS says.
  echo "$GOVSHARE_CONSENSUS" >"$CONSENSUS_FILE"
  mv "$(genesis_block).partial" "$(genesis_block)"
}

# osnadmin_as_orderer_admin <orderer> <args…>: the channel participation API of that orderer, as the
# admin of the org that runs it (mutual TLS: only that org's CA is trusted on the admin endpoint), on
# that org's host.
osnadmin_as_orderer_admin() {
  local orderer="$1"; shift
  local tls; tls="$(admin_tls_dir "$(orderer_org "$orderer")")"
  on_org_host "$(orderer_org "$orderer")" osnadmin channel "$@" -o "$(node_host "$orderer"):$(orderer_admin_port "$orderer")" \
    --ca-file "$(orderer_node_ca "$orderer")" --client-cert "$tls/server.crt" --client-key "$tls/server.key"
}

# join_orderer <orderer> [config block]: joins it to the channel with the genesis block, or (an
# orderer added later) with the newest configuration block, from which it replicates the rest.
join_orderer() {
  local orderer="$1" block="${2:-$(genesis_block)}"
  # osnadmin exits 0 whatever the HTTP status, so read the status it prints.
  if osnadmin_as_orderer_admin "$orderer" list --channelID "$CHANNEL_NAME" 2>/dev/null | grep -q '^Status: 200'; then
    return
  fi
  osnadmin_as_orderer_admin "$orderer" join --channelID "$CHANNEL_NAME" --config-block "$block" \
    2>&1 | grep -q '^Status: 201' || die "$orderer could not join $CHANNEL_NAME"
  step "$orderer joined $CHANNEL_NAME"
}

join_peer() {
  local org="$1"
  if peer_as_admin "$org" channel list 2>/dev/null | grep -qx "$CHANNEL_NAME"; then
    return
  fi
  # The orderers need a moment to elect a Raft leader before peers can pull the first blocks;
  # joining itself only needs the genesis block, but retry in case the peer is still starting.
  for _ in 1 2 3 4 5; do
    if peer_as_admin "$org" channel join -b "$(genesis_block)" >>"$LOG_DIR/channel-join.log" 2>&1; then
      step "$(peer_name "$org") joined $CHANNEL_NAME"
      return
    fi
    sleep 2
  done
  die "$(peer_name "$org") could not join $CHANNEL_NAME; see $LOG_DIR/channel-join.log"
}

# orderer_metric <orderer> <metric>: that orderer's value of a per-channel gauge, empty when it cannot
# be read (the node is down or has not joined).
orderer_metric() {
  curl -s --max-time 2 "http://$(org_ip "$(orderer_org "$1")"):$(orderer_ops_port "$1")/metrics" 2>/dev/null |
    sed -nE "s/^$2\{channel=\"$CHANNEL_NAME\"\} ([0-9.e+]+)$/\1/p" | head -n 1
}

# orderer_by_consenter_id <id>: the BFT orderer with that id in the consenter mapping.
orderer_by_consenter_id() {
  local orderer
  for orderer in "${ORDERERS[@]}"; do
    [[ "$(consenter_id "$orderer")" == "$1" ]] && { echo "$orderer"; return; }
  done
  echo "unknown consenter $1"
}

# consensus_leader: the orderer leading the channel now, "-" when none is known. Raft: the one whose
# metrics say it leads. BFT: the leader of the view that most running consenters are in (SmartBFT's
# live view_number/view_leader_id gauges; consensus_BFT_leader_id only moves with committed blocks).
consensus_leader() {
  local orderer
  if [[ "$GOVSHARE_CONSENSUS" == raft ]]; then
    for orderer in "${ORDERERS[@]}"; do
      [[ "$(orderer_metric "$orderer" consensus_etcdraft_is_leader)" == 1 ]] && { echo "$orderer"; return; }
    done
    echo "-"
    return
  fi
  local view leader votes count
  votes="$(for orderer in "${ORDERERS[@]}"; do
    view="$(orderer_metric "$orderer" consensus_smartbft_view_number)"
    leader="$(orderer_metric "$orderer" consensus_smartbft_view_leader_id)"
    [[ -n "$view" && -n "$leader" ]] && echo "$view $leader"
  done | sort | uniq -c | sort -rn | head -n 1)"
  [[ -n "$votes" ]] || { echo "-"; return; }
  read -r count view leader <<<"$votes"
  echo "$(orderer_by_consenter_id "$leader") (view $view, seen by $count of ${#ORDERERS[@]} consenters)"
}
