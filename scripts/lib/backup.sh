# A department's part of the state directory, and its daemons, for backup.sh and restore.sh.
# Sourced, never executed; needs env.sh, process.sh, admin.sh, discovery.sh and nodes.sh.
# shellcheck shell=bash

# backup_key_file: the operator's key file (GOVSHARE_BACKUP_KEY_FILE): a passphrase or random bytes,
# readable by its owner only. Never a command-line argument, so it never shows in ps or shell history.
backup_key_file() {
  local file="${GOVSHARE_BACKUP_KEY_FILE:-}"
  [[ -n "$file" ]] || die "set GOVSHARE_BACKUP_KEY_FILE to a file holding the backup passphrase or key (mode 0600), e.g.
  (umask 077; head -c 32 /dev/urandom | base64 >~/govshare-backup.key)"
  [[ -f "$file" && -r "$file" ]] || die "GOVSHARE_BACKUP_KEY_FILE=$file is not a readable file"
  echo "$file"
}

# org_state_paths <org>: every path of the state directory (relative to it) that belongs to the org and
# exists: its MSP/TLS material, users and gateway state (orgs/<org>, where an org's own orderer lives
# too), its CA's home, every node named *.<org> (its peer, its orderer), its payload store, its wallet
# and its gateway config. Whatever the org owns is named by the org, so nothing is picked by hand.
org_state_paths() {
  local org="$1" path
  for path in "orgs/$org" "ca/$org" "data/$org" "wallets/$org" "gateways/$org.json"; do
    [[ -e "$GOVSHARE_STATE/$path" ]] && echo "$path"
  done
  for path in "$GOVSHARE_STATE"/nodes/*."$org"; do
    [[ -e "$path" ]] && echo "nodes/${path##*/}"
  done
  return 0
}

# org_daemon_names <org>: every daemon the org runs, in start order: its CA, its orderers, its peer, its
# gateway. The org's own orderer (SmartBFT: orderer0.<org>, a consenter; also one added with
# add-department) is one of them, so that its ledger and WAL are copied stopped, a restore refuses to
# write under it while it runs, and it is started again after a restore.
org_daemon_names() {
  local org="$1" name
  echo "ca.$org"
  for name in "${ORDERERS[@]}"; do
    if [[ "$(orderer_org "$name")" == "$org" ]]; then echo "$name"; fi
  done
  peer_name "$org"
  echo "gateway.$org"
}

# org_daemons <org>: those of the org's daemons that are running, in start order.
org_daemons() {
  local name
  while read -r name; do
    if is_running "$name"; then echo "$name"; fi
  done < <(org_daemon_names "$1")
  return 0
}

# stop_org_daemons <daemon...>: stops them, the last started first.
stop_org_daemons() {
  local i
  for ((i = $# ; i >= 1; i--)); do stop_daemon "${!i}"; done
}

# start_org_daemons <org> <daemon...>: starts them in order and waits until each serves: a CA issues, a
# node accepts connections, a peer's discovery sees every peer run the chaincode again, a gateway is ready.
start_org_daemons() {
  local org="$1" name
  shift
  for name in "$@"; do
    case "$name" in
      gateway.*) "$GOVSHARE_ROOT/scripts/gateways.sh" start "$org" ;;
      *)
        "$GOVSHARE_ROOT/scripts/network.sh" start "$name"
        if [[ "$name" == peer0.* ]]; then wait_for_discovery; fi
        ;;
    esac
  done
}
