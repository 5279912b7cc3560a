# The application channel: genesis block, orderers join through the admin API, peers join.
# Sourced, never executed.
# shellcheck shell=bash

render_configtx() {
  mkdir -p "$CHANNEL_DIR"
  sed -e "s|@STATE@|$GOVSHARE_STATE|g" \
    -e "s|@ORDERER1_PORT@|$(orderer_port orderer1)|g" \
    -e "s|@ORDERER2_PORT@|$(orderer_port orderer2)|g" \
    -e "s|@ORDERER3_PORT@|$(orderer_port orderer3)|g" \
    -e "s|@EDUCATION_PEER_PORT@|$(peer_port education)|g" \
    -e "s|@FINANCE_PEER_PORT@|$(peer_port finance)|g" \
    -e "s|@JUSTICE_PEER_PORT@|$(peer_port justice)|g" \
    -e "s|@AUDIT_PEER_PORT@|$(peer_port audit)|g" \
    -e "s|@BATCH_TIMEOUT@|${GOVSHARE_BATCH_TIMEOUT:-250ms}|g" \
    -e "s|@MAX_MESSAGE_COUNT@|${GOVSHARE_MAX_MESSAGE_COUNT:-100}|g" \
    "$GOVSHARE_ROOT/network/configtx.yaml.tmpl" >"$CHANNEL_DIR/configtx.yaml"
}

genesis_block() { echo "$CHANNEL_DIR/$CHANNEL_NAME.block"; }

create_genesis_block() {
  [[ -f "$(genesis_block)" ]] && return
  render_configtx
  configtxgen -configPath "$CHANNEL_DIR" -profile GovChannel -channelID "$CHANNEL_NAME" \
    -outputBlock "$(genesis_block).partial" >>"$LOG_DIR/configtxgen.log" 2>&1 ||
    die "configtxgen failed; see $LOG_DIR/configtxgen.log"
  mv "$(genesis_block).partial" "$(genesis_block)"
}

osnadmin_as_orderer_admin() {
  local orderer="$1"; shift
  local tls; tls="$(admin_tls_dir orderer)"
  osnadmin channel "$@" -o "$GOVSHARE_HOST:$(orderer_admin_port "$orderer")" \
    --ca-file "$(orderer_ca)" --client-cert "$tls/server.crt" --client-key "$tls/server.key"
}

join_orderer() {
  local orderer="$1"
  # osnadmin exits 0 whatever the HTTP status, so read the status it prints.
  if osnadmin_as_orderer_admin "$orderer" list --channelID "$CHANNEL_NAME" 2>/dev/null | grep -q '^Status: 200'; then
    return
  fi
  osnadmin_as_orderer_admin "$orderer" join --channelID "$CHANNEL_NAME" --config-block "$(genesis_block)" \
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

# raft_leader: the orderer that its peers agree leads the channel, from the operations metrics.
raft_leader() {
  local orderer
  for orderer in "${ORDERERS[@]}"; do
    if curl -s --max-time 2 "http://$GOVSHARE_HOST:$(orderer_ops_port "$orderer")/metrics" |
      grep -qE "^consensus_etcdraft_is_leader\{channel=\"$CHANNEL_NAME\"\} 1"; then
      echo "$orderer"
      return
    fi
  done
  echo "-"
}
