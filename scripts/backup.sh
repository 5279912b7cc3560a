#!/usr/bin/env bash
# Whole-department backup: everything one department needs to come back on an empty state directory.
#   GOVSHARE_BACKUP_KEY_FILE=<file> backup.sh <org> [archive]
#       archive defaults to .govshare/backups/<org>-<UTC time>.gsbackup
# What it holds: the org's whole part of the state directory (org_state_paths in scripts/lib/env.sh):
# its MSP and TLS material and users (orgs/<org>: the gateway's state with its Idempotency-Key store
# too), its CA's home (database, keys, certificate), every node it runs (nodes/*.<org>: the peer's
# ledger, state database and private data; its orderer's ledger and WAL where it runs one), its
# payload store (data/<org>), its wallet and token hashes (wallets/<org>), its gateway config, and
# its users' bearer tokens from gateways.json; plus the channel's genesis block (public). For a
# consistent copy the org's daemons stop while it is taken (CA, nodes and gateway; the other
# departments keep running) and start again at once; the copy is then checksummed (SHA256SUMS
# inside, <archive>.sha256 beside it) and encrypted as a whole with AES-256-GCM under a key derived
# from the operator's key file (scrypt): the archive is never plain. The key file holds a passphrase
# or random bytes, mode 0600, and is named by GOVSHARE_BACKUP_KEY_FILE, never on the command line.
# Restore with scripts/restore.sh <org> <archive>.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"
# shellcheck source=scripts/lib/process.sh
source "$here/lib/process.sh"
# shellcheck source=scripts/lib/admin.sh
source "$here/lib/admin.sh"
# shellcheck source=scripts/lib/discovery.sh
source "$here/lib/discovery.sh"
# shellcheck source=scripts/lib/nodes.sh
source "$here/lib/nodes.sh"
# shellcheck source=scripts/lib/backup.sh
source "$here/lib/backup.sh"

[[ $# -ge 1 && $# -le 2 ]] || { echo "usage: GOVSHARE_BACKUP_KEY_FILE=<file> $0 <${PEER_ORGS[*]// /|}> [archive]" >&2; exit 2; }
org="$1"
org_index "$org" >/dev/null
[[ "$org" != orderer ]] || die "back up a department (${PEER_ORGS[*]}); the orderer org's nodes are backed up with the org that runs them"
key_file="$(backup_key_file)"
archive="${2:-$GOVSHARE_STATE/backups/$org-$(date -u +%Y%m%dT%H%M%SZ).gsbackup}"
[[ ! -e "$archive" ]] || die "$archive exists; choose another name"
mapfile -t paths < <(org_state_paths "$org")
((${#paths[@]} > 0)) || die "no state of $org under $GOVSHARE_STATE (is the network set up?)"

started=$SECONDS
mapfile -t daemons < <(org_daemons "$org")
height=-
if is_running "$(peer_name "$org")"; then height="$(ledger_height "$org")"; fi

staging="$(mktemp -d "${TMPDIR:-/tmp}/govshare-backup.XXXXXX")"
chmod 700 "$staging"
restarted=false
restart() {
  [[ "$restarted" == false ]] || return 0
  restarted=true
  start_org_daemons "$org" "${daemons[@]}"
}
cleanup() {
  restart
  rm -rf "$staging"
}
trap cleanup EXIT

step "stopping ${daemons[*]:-nothing} of $org (height $height) for a consistent copy"
stop_org_daemons "${daemons[@]}"
stopped_at=$SECONDS
tar -C "$GOVSHARE_STATE" -cf "$staging/state.tar" "${paths[@]}"
restart
step "$org copied and running again after $((SECONDS - stopped_at))s down"

channel_block="$CHANNEL_DIR/$CHANNEL_NAME.block"
[[ -f "$channel_block" ]] && cp "$channel_block" "$staging/channel.block"
node -e '
  const fs = require("node:fs");
  const [file, org] = process.argv.slice(1);
  const all = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  process.stdout.write(JSON.stringify(all[org] ?? null));
' "$GOVSHARE_STATE/gateways.json" "$org" >"$staging/tokens.json"
cat >"$staging/manifest.json" <<JSON
{"format":"govshare-department-backup-1","org":"$org","mspId":"$(msp_id "$org")","channel":"$CHANNEL_NAME","heightBeforeStop":"$height","daemons":[$(printf '"%s",' "${daemons[@]}" | sed 's/,$//')],"paths":[$(printf '"%s",' "${paths[@]}" | sed 's/,$//')],"createdAt":"$(date -u +%Y-%m-%dT%H:%M:%SZ)"}
JSON
parts=(manifest.json state.tar tokens.json)
[[ -f "$staging/channel.block" ]] && parts+=(channel.block)
(cd "$staging" && sha256sum -- "${parts[@]}" >SHA256SUMS)
tar -C "$staging" -cf "$staging/plain.tar" SHA256SUMS "${parts[@]}"
mkdir -p "$(dirname "$archive")"
GOVSHARE_BACKUP_ORG="$org" node "$here/lib/backup-crypt.js" encrypt "$key_file" "$staging/plain.tar" "$archive"
(cd "$(dirname "$archive")" && sha256sum -- "$(basename "$archive")" >"$(basename "$archive").sha256")
step "backup of $org complete in $((SECONDS - started))s: $archive ($(du -h "$archive" | cut -f1), encrypted; height $height)"
echo "$archive"
