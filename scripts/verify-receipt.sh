#!/usr/bin/env bash
# Verifies a signed access receipt (the `receipt` of GET /datasets/{id}/data, saved as JSON) without trusting
# either gateway that handled it: the owner gateway's signature against the owner's CA in the channel
# configuration, and the RecordDelivery transaction it names (VALID, same signer, same delivery) on the
# ledger of the verifying org's own peer, read with that org's auditor identity.
#   verify-receipt.sh <receipt.json> [org]     (org: whose peer and auditor verify; default audit)
# Exit 0: valid; 1: does not verify (the failed checks are printed); 2: could not run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"

[[ $# -ge 1 && $# -le 2 ]] || { echo "usage: $0 <receipt.json> [org]" >&2; exit 2; }
receipt="$1" org="${2:-audit}"
[[ -f "$receipt" ]] || { echo "no file $receipt" >&2; exit 2; }
org_index "$org" >/dev/null
[[ "$org" != orderer ]] || die "the orderer org has no peer; use one of: ${PEER_ORGS[*]}"

verifier="$GOVSHARE_ROOT/gateway/dist/cli/verifyReceipt.js"
if [[ ! -f "$verifier" || -n "$(find "$GOVSHARE_ROOT/gateway/src" "$GOVSHARE_ROOT/contract/src" -name '*.ts' -newer "$verifier" -print -quit)" ]]; then
  step "building the verifier (gateway/)"
  (cd "$GOVSHARE_ROOT" && npx tsc -b gateway) >&2 || { echo "the verifier does not compile" >&2; exit 2; }
fi
msp="$(user_msp "$org" "$org-auditor")"
[[ -d "$msp" ]] || die "no auditor identity for $org at $msp"
node "$verifier" "$receipt" --peer "$GOVSHARE_HOST:$(peer_port "$org")" --tls-ca "$(ca_cert "$org")" \
  --msp-id "$(msp_id "$org")" --cert "$msp/signcerts/cert.pem" --key "$(echo "$msp"/keystore/*_sk)" \
  --channel "$CHANNEL_NAME" --chaincode "$CHAINCODE_NAME"
