# The environment of an org's admin for the peer CLI. Sourced, never executed.
# shellcheck shell=bash

orderer_address() { echo "$GOVSHARE_HOST:$(orderer_port orderer1)"; }
orderer_ca() { ca_cert orderer; }

# admin_env <org>: prints VAR=value lines for `env` to run the peer CLI as that org's admin.
admin_env() {
  local org="$1"
  cat <<ENV
FABRIC_CFG_PATH=$NODE_CONFIG_DIR
FABRIC_LOGGING_SPEC=${GOVSHARE_CLI_LOGGING:-warning}
CORE_PEER_LOCALMSPID=$(msp_id "$org")
CORE_PEER_MSPCONFIGPATH=$(admin_msp "$org")
CORE_PEER_ADDRESS=$GOVSHARE_HOST:$(peer_port "$org")
CORE_PEER_TLS_ENABLED=true
CORE_PEER_TLS_ROOTCERT_FILE=$(ca_cert "$org")
ORDERER_ADDRESS=$(orderer_address)
ORDERER_CA=$(orderer_ca)
ENV
}

# as_admin <org> <command...>
as_admin() {
  local org="$1"; shift
  local vars=()
  mapfile -t vars < <(admin_env "$org")
  env "${vars[@]}" "$@"
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
