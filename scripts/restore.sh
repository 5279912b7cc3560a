#!/usr/bin/env bash
# Rebuilds one department from its backup (scripts/backup.sh) on an empty state directory while the
# other departments keep running.
#   GOVSHARE_BACKUP_KEY_FILE=<file> restore.sh <org> <archive>
# Checks the archive (its .sha256 beside it when present, then the AES-256-GCM tag, then SHA256SUMS
# inside), refuses to overwrite anything of the org that still exists (move it aside first), puts the
# org's state back, merges its users' tokens into gateways.json, starts its CA, nodes and gateway,
# waits until its peer has caught up with the other peers' ledger height, and checks its payload store
# against the ledger: every dataset the org owns whose committed fingerprint has no stored payload
# (uploaded after the archive was made) is reported missing by name, and the gateway answers 404
# PAYLOAD_NOT_AVAILABLE for it, never another version. Ends with the time the restore took.
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

[[ $# -eq 2 ]] || { echo "usage: GOVSHARE_BACKUP_KEY_FILE=<file> $0 <${PEER_ORGS[*]// /|}> <archive>" >&2; exit 2; }
org="$1" archive="$2"
org_index "$org" >/dev/null
[[ -f "$archive" ]] || die "no archive at $archive"
key_file="$(backup_key_file)"
started=$SECONDS

if [[ -f "$archive.sha256" ]]; then
  (cd "$(dirname "$archive")" && sha256sum --quiet -c "$(basename "$archive").sha256") ||
    die "$archive does not match its checksum $archive.sha256"
fi
mapfile -t present < <(org_state_paths "$org")
((${#present[@]} == 0)) || die "$org still has state under $GOVSHARE_STATE: ${present[*]}; restore rebuilds an empty one (move those aside first)"
mapfile -t running < <(org_daemons "$org")
((${#running[@]} == 0)) || die "${running[*]} of $org still running; restore writes the state they use, stop them first"

staging="$(mktemp -d "${TMPDIR:-/tmp}/govshare-restore.XXXXXX")"
chmod 700 "$staging"
trap 'rm -rf "$staging"' EXIT
node "$here/lib/backup-crypt.js" decrypt "$key_file" "$archive" "$staging/plain.tar" >/dev/null
tar -C "$staging" -xf "$staging/plain.tar"
(cd "$staging" && sha256sum --quiet -c SHA256SUMS) || die "$archive: the content does not match its SHA256SUMS"
manifest="$(cat "$staging/manifest.json")"
grep -q "\"org\":\"$org\"" <<<"$manifest" || die "$archive is not a backup of $org: $manifest"
mapfile -t daemons < <(node -e 'for (const d of JSON.parse(process.argv[1]).daemons) console.log(d)' "$manifest")
made="$(node -e 'const m = JSON.parse(process.argv[1]); console.log(m.createdAt + " at height " + m.heightBeforeStop)' "$manifest")"
step "restoring $org from $archive (made $made)"

mkdir -p "$GOVSHARE_STATE"
tar -C "$GOVSHARE_STATE" -xpf "$staging/state.tar"
if [[ -f "$staging/channel.block" && ! -f "$CHANNEL_DIR/$CHANNEL_NAME.block" ]]; then
  mkdir -p "$CHANNEL_DIR"
  cp "$staging/channel.block" "$CHANNEL_DIR/$CHANNEL_NAME.block"
fi
# shellcheck disable=SC2016 # JavaScript, not shell
node -e '
  const fs = require("node:fs");
  const [file, org, tokensFile] = process.argv.slice(1);
  const tokens = JSON.parse(fs.readFileSync(tokensFile, "utf8"));
  if (tokens === null) process.exit(0);
  const all = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  all[org] = tokens;
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
' "$GOVSHARE_STATE/gateways.json" "$org" "$staging/tokens.json"
step "state of $org in place ($(du -sh "$GOVSHARE_STATE/orgs/$org" | cut -f1) of MSP/TLS/gateway state); starting ${daemons[*]}"

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

peer="$(peer_name "$org")"
for name in "${daemons[@]}"; do
  case "$name" in
    gateway.*) "$here/gateways.sh" start "$org" ;;
    "$peer")
      "$here/network.sh" start "$name"
      caught_up=$SECONDS height=- target=0
      while ((SECONDS - caught_up < 300)); do
        height="$(ledger_height "$org")"
        target="$(others_height)"
        [[ "$height" =~ ^[0-9]+$ && "$height" -ge "$target" && "$target" -gt 0 ]] && break
        sleep 1
      done
      [[ "$height" =~ ^[0-9]+$ && "$height" -ge "$target" ]] ||
        die "$peer is at height $height, the other peers at $target after 300s; see $(log_file "$peer")"
      step "$peer caught up: height $height (others: $target) in $((SECONDS - caught_up))s"
      wait_for_discovery
      ;;
    *) "$here/network.sh" start "$name" ;;
  esac
done

if is_running "gateway.$org"; then
  # On the department's own host, trusting its CA: in hosts mode its gateway serves HTTPS by host name.
  on_org_host "$org" env NODE_EXTRA_CA_CERTS="$(ca_cert "$org")" node "$here/lib/check-payloads.js" "$GOVSHARE_STATE" "$org" ||
    die "the payload check of $org failed"
fi
step "restore of $org complete in $((SECONDS - started))s"
