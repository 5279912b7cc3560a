#!/usr/bin/env bash
# Backs up one department peer's ledger (block store, state database, private data, installed
# chaincode): stops the peer so that the copy is consistent, copies its data directory, restarts it.
#   peer-backup.sh <org> [dir]    dir defaults to .govshare/backups/peer0.<org>-<UTC time>
# Restore with scripts/peer-restore.sh <org> <dir>. The other peers and the orderers keep running,
# so the channel stays available; the peer catches up on the blocks it missed when it restarts.
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

[[ $# -ge 1 && $# -le 2 ]] || { echo "usage: $0 <${PEER_ORGS[*]// /|}> [dir]" >&2; exit 2; }
org="$1"
org_index "$org" >/dev/null
[[ "$org" != orderer ]] || die "the orderer org has no peer; use one of: ${PEER_ORGS[*]}"
peer="$(peer_name "$org")"
data="$(node_dir "$peer")/data"
[[ -d "$data" ]] || die "$peer has no ledger at $data (is the network set up?)"
backup="${2:-$GOVSHARE_STATE/backups/$peer-$(date -u +%Y%m%dT%H%M%SZ)}"
[[ ! -e "$backup/data" ]] || die "$backup already holds a backup; choose another directory"

was_running=false
height=-
if is_running "$peer"; then
  was_running=true
  height="$(ledger_height "$org")"
fi

restart() {
  [[ "$was_running" == true ]] || return 0
  render_node_config
  start_peer "$org"
  wait_for_port "$peer" "$(peer_port "$org")"
  wait_for_discovery
  step "$peer restarted (pid $(running_pid "$peer")); every peer's discovery sees it again"
}
# Whatever happens during the copy, a peer that was running is running again afterwards.
trap restart EXIT

if [[ "$was_running" == true ]]; then
  step "stopping $peer (height $height) for a consistent copy"
  stop_daemon "$peer"
fi
mkdir -p "$backup"
chmod 700 "$backup"
step "copying $data to $backup/data"
cp -a "$data" "$backup/data.partial"
mv "$backup/data.partial" "$backup/data"
cat >"$backup/backup.json" <<JSON
{"peer":"$peer","org":"$org","mspId":"$(msp_id "$org")","channel":"$CHANNEL_NAME","heightBeforeStop":"$height","createdAt":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","bytes":$(du -sb "$backup/data" | cut -f1)}
JSON
step "backup of $peer complete: $backup ($(du -sh "$backup/data" | cut -f1))"
echo "$backup"
