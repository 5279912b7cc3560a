#!/usr/bin/env bash
# Verifies the channel's ledger as an org sees it, without trusting the peer that serves it:
#   verify-ledger.sh [org] [--blocks-dir DIR] [--save DIR] [--no-audit]
# Streams every block from that org's own peer (one deliver stream, as <org>-auditor; --save DIR keeps
# a copy as DIR/N.block), or reads a directory of block files (N.block) to verify a copy, and checks:
#   - the hash chain: each header's previous_hash = SHA-256 of the previous header's ASN.1 DER;
#   - each header's data_hash = SHA-256 of the block's data entries;
#   - the orderer signatures in the SIGNATURES metadata (ECDSA over value ‖ signature header ‖
#     header, by a certificate that chains to an orderer organisation's CA of the channel config);
#   - block 0 is the genesis block this network was created with (when it is in the state dir);
#   - every audit record in the peer's world state (as visible to <org>-auditor; the audit org's
#     auditor sees all) names a transaction that qscc reports VALID and the verified blocks flag VALID.
# Prints a verdict and the first break. Exit 0: intact; 1: broken; 2: could not verify.
#   org         whose peer and identities to use (default: audit)
#   --save DIR  keep the fetched blocks in DIR (for an offline copy)
#   --no-audit  check the blocks only
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"
# shellcheck source=scripts/lib/admin.sh
source "$here/lib/admin.sh"
# shellcheck source=scripts/lib/channel.sh
source "$here/lib/channel.sh"

usage() { echo "usage: $0 [org] [--blocks-dir DIR] [--save DIR] [--no-audit]" >&2; exit 2; }

org=audit blocks_dir="" save_dir="" audit=true
while [[ $# -gt 0 ]]; do
  case "$1" in
    --blocks-dir) [[ $# -ge 2 ]] || usage; blocks_dir="$2"; shift 2 ;;
    --save) [[ $# -ge 2 ]] || usage; save_dir="$2"; shift 2 ;;
    --no-audit) audit=false; shift ;;
    -h | --help) usage ;;
    -*) usage ;;
    *) org="$1"; shift ;;
  esac
done
org_index "$org" >/dev/null
[[ "$org" != orderer ]] || die "the orderer org has no peer; use one of: ${PEER_ORGS[*]}"

# fetch_blocks <dir>: blocks 0..height-1 from the org's own peer (no -o: the peer's deliver service).
args=(--channel "$CHANNEL_NAME" --chaincode "$CHAINCODE_NAME")
if [[ -n "$blocks_dir" ]]; then
  [[ -d "$blocks_dir" ]] || { echo "no directory $blocks_dir" >&2; exit 2; }
  step "verifying the block files in $blocks_dir"
  args+=(--blocks-dir "$blocks_dir")
else
  [[ "$(ledger_height "$org")" =~ ^[0-9]+$ ]] || { echo "$(peer_name "$org") does not answer (is the network up?)" >&2; exit 2; }
  step "streaming the blocks of $CHANNEL_NAME from $(peer_name "$org")"
  if [[ -n "$save_dir" ]]; then
    mkdir -p "$save_dir"
    rm -f "$save_dir"/*.block
    args+=(--save "$save_dir")
  fi
fi
[[ "$audit" == true ]] || args+=(--no-audit)

verifier="$GOVSHARE_ROOT/gateway/dist/cli/verifyLedger.js"
# The verifier is part of the gateway (its GET /audit/ledger/verify runs the same checks): build it
# when it is missing or older than any gateway or contract source.
if [[ ! -f "$verifier" || -n "$(find "$GOVSHARE_ROOT/gateway/src" "$GOVSHARE_ROOT/contract/src" -name '*.ts' -newer "$verifier" -print -quit)" ]]; then
  step "building the verifier (gateway/)"
  (cd "$GOVSHARE_ROOT" && npx tsc -b gateway) >&2 || { echo "the verifier does not compile" >&2; exit 2; }
fi

[[ -f "$(genesis_block)" ]] && args+=(--genesis "$(genesis_block)")
# The peer and the auditor's identity: to stream the blocks, and to read the audit trail.
if [[ "$audit" == true || -z "$blocks_dir" ]]; then
  msp="$(user_msp "$org" "$org-auditor")"
  [[ -d "$msp" ]] || die "no auditor identity for $org at $msp"
  args+=(--peer "$(node_host "$(peer_name "$org")"):$(peer_port "$org")" --tls-ca "$(ca_cert "$org")" --msp-id "$(msp_id "$org")"
    --cert "$msp/signcerts/cert.pem" --key "$(echo "$msp"/keystore/*_sk)")
fi
checks="hash chain, data hashes, orderer signatures"
[[ "$audit" == true ]] && checks+=", audit trail"
step "verifying ($checks)"
# On the org's own host (hosts mode), where its peer's name resolves.
on_org_host "$org" node "$verifier" "${args[@]}"
