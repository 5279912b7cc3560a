#!/usr/bin/env bash
# Runs the peer CLI as an organisation's admin, against that org's own peer.
#   scripts/peer-cli.sh education channel getinfo -c govchannel
#   scripts/peer-cli.sh justice chaincode query -C govchannel -n govshare -c '{"Args":["ReadDataset","x"]}'
# $ORDERER_ADDRESS and $ORDERER_CA (the org's own orderer in BFT mode, and the CA of its TLS
# certificate) are set for commands that talk to the ordering service, e.g.
#   scripts/peer-cli.sh finance channel fetch newest /tmp/b.pb -c govchannel -o '$ORDERER_ADDRESS' --tls --cafile '$ORDERER_CA'
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"
# shellcheck source=scripts/lib/admin.sh
source "$here/lib/admin.sh"

if [[ $# -lt 2 ]]; then
  echo "usage: $0 <${PEER_ORGS[*]// /|}> <peer arguments...>" >&2
  exit 2
fi
org="$1"; shift
org_index "$org" >/dev/null
[[ "$org" != orderer ]] || die "the orderer org has no peer; use one of: ${PEER_ORGS[*]}"
[[ -d "$(admin_msp "$org")" ]] || die "no admin identity for $org: is the network up? (scripts/network.sh up)"

# Expand the two orderer placeholders when the caller quoted them for us.
args=()
for arg in "$@"; do
  arg="${arg//\$ORDERER_ADDRESS/$(orderer_address "$org")}"
  args+=("${arg//\$ORDERER_CA/$(orderer_ca "$org")}")
done
peer_as_admin "$org" "${args[@]}"
