# The environment of an org's admin for the peer CLI. Sourced, never executed.
# shellcheck shell=bash

# orderer_for <org>: the orderer that org's admin talks to: in BFT mode its own department's orderer
# when it runs one (a department never has to trust another's to reach the ordering service), else
# the first consenter; in Raft mode orderer1 of OrdererMSP.
orderer_for() {
  local org="${1:-}" orderer
  for orderer in "${ORDERERS[@]}"; do
    [[ "$orderer" == "orderer0.$org" ]] && { echo "$orderer"; return; }
  done
  echo "${ORDERERS[0]}"
}
orderer_address() { local orderer; orderer="$(orderer_for "${1:-}")"; echo "$(node_host "$orderer"):$(orderer_port "$orderer")"; }
# orderer_ca [<org>]: the CA that issued the TLS certificate of orderer_for <org>.
orderer_ca() { ca_cert "$(orderer_org "$(orderer_for "${1:-}")")"; }
# orderer_node_ca <orderer node>: the CA that issued that orderer's TLS certificate.
orderer_node_ca() { ca_cert "$(orderer_org "$1")"; }

# admin_env <org>: prints VAR=value lines for `env` to run the peer CLI as that org's admin.
admin_env() {
  local org="$1"
  cat <<ENV
FABRIC_CFG_PATH=$NODE_CONFIG_DIR
FABRIC_LOGGING_SPEC=${GOVSHARE_CLI_LOGGING:-warning}
CORE_PEER_LOCALMSPID=$(msp_id "$org")
CORE_PEER_MSPCONFIGPATH=$(admin_msp "$org")
CORE_PEER_ADDRESS=$(node_host "$(peer_name "$org")"):$(peer_port "$org")
CORE_PEER_TLS_ENABLED=true
CORE_PEER_TLS_ROOTCERT_FILE=$(ca_cert "$org")
ORDERER_ADDRESS=$(orderer_address "$org")
ORDERER_CA=$(orderer_ca "$org")
ENV
}

# as_admin <org> <command...>: on the org's own host (hosts mode), as its operator would run it.
as_admin() {
  local org="$1"; shift
  local vars=()
  mapfile -t vars < <(admin_env "$org")
  on_org_host "$org" env "${vars[@]}" "$@"
}

peer_as_admin() {
  local org="$1"; shift
  as_admin "$org" peer "$@"
}

# ledger_height <org>: the peer's block height on the channel, or "-" when it cannot answer.
ledger_height() {
  local info
  info="$(peer_as_admin "$1" channel getinfo -c "$CHANNEL_NAME" 2>/dev/null)" || { echo -; return; }
  sed -nE 's/.*"height":([0-9]+).*/\1/p' <<<"$info"
}
