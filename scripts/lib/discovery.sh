# What the peers' discovery service knows, through gossip, about who runs the chaincode.
# Sourced, never executed; needs env.sh, ca.sh and admin.sh.
# shellcheck shell=bash

# peers_with_chaincode <org>: how many peers that org's peer knows (through gossip) to run the chaincode.
peers_with_chaincode() {
  local org="$1" msp
  msp="$(admin_msp "$org")"
  { on_org_host "$org" discover peers --channel "$CHANNEL_NAME" --server "$(node_host "$(peer_name "$org")"):$(peer_port "$org")" \
    --peerTLSCA "$(ca_cert "$org")" --userKey "$(echo "$msp"/keystore/*_sk)" \
    --userCert "$msp/signcerts/cert.pem" --MSP "$(msp_id "$org")" 2>/dev/null || echo '[]'; } |
    node -e 'let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
      let peers = []; try { peers = JSON.parse(s); } catch { /* not ready */ }
      process.stdout.write(String(peers.filter(p => (p.Chaincodes || []).includes(process.argv[1])).length));
    });' "$CHAINCODE_NAME"
}

# wait_for_discovery: clients' gateways plan endorsements from discovery, which learns through gossip
# which peers run the chaincode; until every peer sees every other one (after a deploy, or after a
# peer restarts), requests may fail with "no peers available". Call it before reporting success.
wait_for_discovery() {
  local org
  for org in "${PEER_ORGS[@]}"; do wait_for_org_discovery "$org"; done
}

# wait_for_org_discovery <org>: until that org's peer sees the chaincode on every peer (at most 60 s).
wait_for_org_discovery() {
  local org="$1"
  for _ in $(seq 1 120); do
    [[ "$(peers_with_chaincode "$org")" -ge "${#PEER_ORGS[@]}" ]] && return 0
    sleep 0.5
  done
  die "discovery on $(peer_name "$org") does not see $CHAINCODE_NAME on all ${#PEER_ORGS[@]} peers after 60s"
}
