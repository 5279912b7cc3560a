#!/usr/bin/env bash
# Restores one department peer's ledger from a backup made by peer-backup.sh: stops the peer, puts
# the backup in place of its data directory (the replaced one is kept as data.before-restore), restarts
# it and waits until it has caught up with the other peers' height and serves the chaincode.
#   peer-restore.sh <org> <backup dir>
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

[[ $# -eq 2 ]] || { echo "usage: $0 <${PEER_ORGS[*]// /|}> <backup dir>" >&2; exit 2; }
org="$1" backup="$2"
org_index "$org" >/dev/null
[[ "$org" != orderer ]] || die "the orderer org has no peer; use one of: ${PEER_ORGS[*]}"
peer="$(peer_name "$org")"
[[ -d "$backup/data" && -f "$backup/backup.json" ]] || die "$backup is not a backup made by peer-backup.sh"
grep -q "\"peer\":\"$peer\"" "$backup/backup.json" || die "$backup is not a backup of $peer: $(cat "$backup/backup.json")"
data="$(node_dir "$peer")/data"

# others_height: the highest ledger height among the other running peers.
others_height() {
  local other h best=0
  for other in "${PEER_ORGS[@]}"; do
    [[ "$other" == "$org" ]] && continue
    is_running "$(peer_name "$other")" || continue
    h="$(ledger_height "$other")"
    [[ "$h" =~ ^[0-9]+$ && "$h" -gt "$best" ]] && best="$h"
  done
  echo "$best"
}

step "stopping $peer"
stop_daemon "$peer"
step "replacing $data with the backup from $backup"
rm -rf "$data.restoring" "$data.before-restore"
cp -a "$backup/data" "$data.restoring"
[[ -d "$data" ]] && mv "$data" "$data.before-restore"
mv "$data.restoring" "$data"

render_node_config
start_peer "$org"
wait_for_port "$peer" "$(peer_port "$org")"
step "$peer restarted (pid $(running_pid "$peer")); waiting until it catches up"

started=$SECONDS
height=- target=0
while ((SECONDS - started < 300)); do
  height="$(ledger_height "$org")"
  target="$(others_height)"
  [[ "$height" =~ ^[0-9]+$ && "$height" -ge "$target" && "$target" -gt 0 ]] && break
  sleep 1
done
[[ "$height" =~ ^[0-9]+$ && "$height" -ge "$target" ]] ||
  die "$peer is at height $height, the other peers at $target after 300s; see $(log_file "$peer")"
step "$peer caught up: height $height (others: $target) in $((SECONDS - started))s"

# The chaincode: a backup taken before an upgrade lacks the newer package (deploy-chaincode.sh installs it).
for _ in $(seq 1 60); do
  if peer_as_admin "$org" chaincode query -C "$CHANNEL_NAME" -n "$CHAINCODE_NAME" \
    -c '{"function":"org.hyperledger.fabric:GetMetadata","Args":[]}' >/dev/null 2>&1; then
    wait_for_discovery
    step "$peer serves $CHAINCODE_NAME again; previous data kept in $data.before-restore"
    exit 0
  fi
  sleep 1
done
die "$peer does not serve $CHAINCODE_NAME: if it was upgraded after the backup, run scripts/deploy-chaincode.sh to install the current package"
