#!/usr/bin/env bash
# Deploys (or upgrades) a chaincode through the real Fabric lifecycle:
# build → self-contained package → install on every peer → approve for every org → commit.
# The package is reproducible (same code, same package id), so re-running with unchanged code is a
# no-op, and changed code becomes the next sequence: an in-place upgrade that keeps all state.
#   deploy-chaincode.sh                              the govshare chaincode (chaincode/, TypeScript)
#   deploy-chaincode.sh --name N --source DIR        a built JavaScript chaincode from DIR: with its own
#                                                    node_modules (asset-transfer-basic), or else with
#                                                    dependencies among govshare's (benchnoop)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"
# shellcheck source=scripts/lib/process.sh
source "$here/lib/process.sh"
# shellcheck source=scripts/lib/ca.sh
source "$here/lib/ca.sh"
# shellcheck source=scripts/lib/admin.sh
source "$here/lib/admin.sh"
# shellcheck source=scripts/lib/discovery.sh
source "$here/lib/discovery.sh"
# shellcheck source=scripts/lib/node-deps.sh
source "$here/lib/node-deps.sh"

SOURCE_DIR=""   # empty: the govshare chaincode workspace
while [[ $# -gt 0 ]]; do
  case "$1" in
    --name) CHAINCODE_NAME="$2"; shift 2 ;;
    --source) SOURCE_DIR="$(cd "$2" && pwd)"; shift 2 ;;
    *) die "unknown argument '$1' (usage: $0 [--name NAME --source DIR])" ;;
  esac
done
[[ -z "$SOURCE_DIR" || "$CHAINCODE_NAME" != govshare ]] || die "--source needs a --name other than govshare"
CC_DIR="$GOVSHARE_STATE/chaincode/$CHAINCODE_NAME"

# stage_package: dist/ + package.json + the production dependency closure, copied from the
# lockfile-installed tree (exact versions, no network, same layout).
stage_package() {
  local stage="$1"
  rm -rf "$stage"
  mkdir -p "$stage"
  if [[ -n "$SOURCE_DIR" ]]; then
    cp -a "$SOURCE_DIR/." "$stage/"
  else
    step "building the chaincode"
    (cd "$GOVSHARE_ROOT" && npx tsc -b chaincode) >&2 || die "the chaincode does not compile"
    cp -a "$GOVSHARE_ROOT/chaincode/dist" "$stage/dist"
    find "$stage/dist" -name '*.tsbuildinfo' -delete
    node -e '
      const pkg = require(process.argv[1]);
      delete pkg.devDependencies; delete pkg.scripts.build;
      process.stdout.write(JSON.stringify(pkg, null, 2) + "\n");
    ' "$GOVSHARE_ROOT/chaincode/package.json" >"$stage/package.json"
  fi
  # The exact runtime every peer's builder must run it on (network/builders/node/bin/build checks it).
  # Part of the package, so it is part of the package id: a new runtime is a new chaincode package.
  node -e '
    const fs = require("node:fs");
    const pkg = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    pkg.engines = { ...pkg.engines, node: process.argv[2] };
    fs.writeFileSync(process.argv[1], JSON.stringify(pkg, null, 2) + "\n");
  ' "$stage/package.json" "$GOVSHARE_NODE_VERSION"
  # A chaincode built with its own lockfile (a baseline such as asset-transfer-basic) brings its own production
  # node_modules: it runs on those, not on govshare's.
  if [[ -n "$SOURCE_DIR" && -d "$SOURCE_DIR/node_modules" ]]; then
    [[ -f "$stage/node_modules/fabric-shim/cli.js" ]] || die "$SOURCE_DIR/node_modules has no fabric-shim"
    return
  fi
  local dep
  while read -r dep; do
    [[ "$dep" == "$GOVSHARE_ROOT/node_modules/"* ]] || continue
    local target="$stage/${dep#"$GOVSHARE_ROOT/"}"
    case "${dep#"$GOVSHARE_ROOT/node_modules/"}" in
      govshare-chaincode) continue ;; # the workspace itself: its dist is staged above
      govshare-contract)
        # The shared contract workspace (built by `tsc -b chaincode` through its project reference): only
        # what runs, so sources, tests and build info never change the package id.
        mkdir -p "$target"
        cp "$GOVSHARE_ROOT/contract/package.json" "$target/package.json"
        cp -a "$GOVSHARE_ROOT/contract/dist" "$target/dist"
        find "$target/dist" -name '*.tsbuildinfo' -delete
        continue
        ;;
    esac
    mkdir -p "$target"
    # Copy the package without its nested node_modules: nested dependencies are listed separately.
    (cd "$dep" && tar --exclude=./node_modules -cf - .) | tar -C "$target" -xf -
  done < <(cd "$GOVSHARE_ROOT" && npm ls --omit=dev --workspace chaincode --all --parseable 2>/dev/null | sort -u)
  [[ -f "$stage/node_modules/fabric-shim/cli.js" && -f "$stage/node_modules/govshare-contract/dist/index.js" ]] ||
    die "staging the chaincode dependencies failed"
}

# build_package: a chaincode package for the govshare-node external builder. tar and gzip are
# told to ignore times and owners so that identical code yields an identical package id.
build_package() {
  local stage="$CC_DIR/stage" work="$CC_DIR/package"
  stage_package "$stage"
  rm -rf "$work"
  mkdir -p "$work"
  local tar_flags=(--sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner)
  tar "${tar_flags[@]}" -C "$stage" -cf - . | gzip -n >"$work/code.tar.gz"
  local hash label
  hash="$(sha256sum "$work/code.tar.gz" | cut -c1-12)"
  label="${CHAINCODE_NAME}_$hash"
  printf '{"type":"govshare-node","label":"%s"}\n' "$label" >"$work/metadata.json"
  tar "${tar_flags[@]}" -C "$work" -cf - metadata.json code.tar.gz | gzip -n >"$CC_DIR/$label.tar.gz"
  echo "$label"
}

installed_package_id() { # installed_package_id <org> <label>
  { peer_as_admin "$1" lifecycle chaincode queryinstalled -O json 2>/dev/null || true; } |
    node -e '
      let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
        const found = (JSON.parse(s || "{}").installed_chaincodes || []).find(c => c.label === process.argv[1]);
        if (found) process.stdout.write(found.package_id);
      });' "$2"
}

committed_field() { # committed_field <version|sequence|approvals.<MSP id>>: of the committed definition, empty if none
  # querycommitted fails when nothing is committed yet: that is the empty answer, not an error.
  { peer_as_admin education lifecycle chaincode querycommitted -C "$CHANNEL_NAME" -n "$CHAINCODE_NAME" -O json 2>/dev/null || true; } |
    node -e 'let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
      try {
        const value = process.argv[1].split(".").reduce((at, key) => (at == null ? at : at[key]), JSON.parse(s));
        process.stdout.write(String(value ?? ""));
      } catch { /* none */ } });' "$1"
}

# orderers_for <org>: the orderers that org's admin tries, its own (orderer_for) first, then the others.
# Going through another department's orderer trusts it with nothing but passing the signed transaction on
# (it cannot alter it); it is what keeps a deploy going when the own orderer accepts a transaction and never
# orders it, as a SmartBFT follower caught in same-height syncs was seen to do under load
# (hyperledger-labs/SmartBFT#663, not in Fabric 3.1.5).
orderers_for() {
  local own other
  own="$(orderer_for "$1")"
  echo "$own"
  for other in "${ORDERERS[@]}"; do [[ "$other" == "$own" ]] || echo "$other"; done
}
orderer_node_flags() { # orderer_node_flags <orderer node>
  echo -o "$(node_host "$1"):$(orderer_port "$1")" --tls --cafile "$(orderer_node_ca "$1")"
}

install_everywhere() {
  local label="$1" package="$CC_DIR/$1.tar.gz" org pids=()
  for org in "${PEER_ORGS[@]}"; do
    if [[ -n "$(installed_package_id "$org" "$label")" ]]; then continue; fi
    step "installing $label on $(peer_name "$org")"
    peer_as_admin "$org" lifecycle chaincode install "$package" >>"$LOG_DIR/deploy.log" 2>&1 &
    pids+=($!)
  done
  local pid
  for pid in "${pids[@]}"; do wait "$pid" || die "chaincode install failed; see $LOG_DIR/deploy.log"; done
}

# approved_by <org> <package id> <sequence>: that org's approval of this package at this sequence is committed.
approved_by() {
  local approved
  approved="$(peer_as_admin "$1" lifecycle chaincode queryapproved -C "$CHANNEL_NAME" -n "$CHAINCODE_NAME" \
    --sequence "$3" -O json 2>/dev/null)" || return 1
  # The package id is in source.Type.LocalPackage.package_id (the CLI marshals the proto with encoding/json).
  [[ "$approved" == *"\"$2\""* ]]
}

# approve_for <org> <label> <sequence>: that org approves the definition with its own installed package,
# through its own orderer or, when that one does not order the approval, through the others in turn.
approve_for() {
  local org="$1" label="$2" sequence="$3" package_id orderer
  package_id="$(installed_package_id "$org" "$label")"
  [[ -n "$package_id" ]] || die "package $label is not installed on $(peer_name "$org")"
  for orderer in $(orderers_for "$org"); do
    # shellcheck disable=SC2046 # orderer_node_flags is a list of words
    if peer_as_admin "$org" lifecycle chaincode approveformyorg $(orderer_node_flags "$orderer") -C "$CHANNEL_NAME" \
      -n "$CHAINCODE_NAME" --version "$label" --package-id "$package_id" --sequence "$sequence" \
      >>"$LOG_DIR/deploy.log" 2>&1; then
      return
    fi
    # Ordered after all (late), or by a retry that raced it: the approval is there either way.
    approved_by "$org" "$package_id" "$sequence" && return
    step "the approval by $org through $orderer did not commit; trying the next orderer (see $LOG_DIR/deploy.log)"
  done
  die "approval by $org failed through every orderer; see $LOG_DIR/deploy.log"
}

approve_and_commit() {
  local label="$1" sequence committed_sequence org
  committed_sequence="$(committed_field sequence)"
  sequence=$((${committed_sequence:-0} + 1))
  step "approving $label as sequence $sequence for every org"
  for org in "${PEER_ORGS[@]}"; do approve_for "$org" "$label" "$sequence"; done
  local peers=()
  for org in "${PEER_ORGS[@]}"; do
    peers+=(--peerAddresses "$(node_host "$(peer_name "$org")"):$(peer_port "$org")" --tlsRootCertFiles "$(ca_cert "$org")")
  done
  step "committing sequence $sequence to $CHANNEL_NAME"
  local orderer
  for orderer in $(orderers_for education); do
    # shellcheck disable=SC2046
    if peer_as_admin education lifecycle chaincode commit $(orderer_node_flags "$orderer") -C "$CHANNEL_NAME" \
      -n "$CHAINCODE_NAME" --version "$label" --sequence "$sequence" "${peers[@]}" \
      >>"$LOG_DIR/deploy.log" 2>&1; then
      return
    fi
    [[ "$(committed_field sequence)" == "$sequence" ]] && return
    step "the commit through $orderer did not commit; trying the next orderer (see $LOG_DIR/deploy.log)"
  done
  die "commit failed through every orderer; see $LOG_DIR/deploy.log"
}

# approve_where_missing <label>: on a grown network, an org that joined the channel after the definition
# was committed (scripts/add-department.sh) has not approved it, and its peer refuses to run the
# chaincode until it does; approving the committed sequence afterwards is what Fabric expects of it.
approve_where_missing() {
  local label="$1" sequence org
  sequence="$(committed_field sequence)"
  for org in "${PEER_ORGS[@]}"; do
    if [[ "$(committed_field "approvals.$(msp_id "$org")")" != true ]]; then
      step "$(msp_id "$org") has not approved $label (sequence $sequence): approving it"
      approve_for "$org" "$label" "$sequence"
    fi
  done
}

# wait_until_serving: the first invocation on each peer launches the chaincode process.
wait_until_serving() {
  local org i
  for org in "${PEER_ORGS[@]}"; do
    for i in $(seq 1 60); do
      if peer_as_admin "$org" chaincode query -C "$CHANNEL_NAME" -n "$CHAINCODE_NAME" \
        -c '{"function":"org.hyperledger.fabric:GetMetadata","Args":[]}' >/dev/null 2>>"$LOG_DIR/deploy.log"; then
        continue 2
      fi
      sleep 1
    done
    die "chaincode did not start on $(peer_name "$org"); see $LOG_DIR/$(peer_name "$org").log"
  done
}

main() {
  local started=$SECONDS label
  mkdir -p "$CC_DIR" "$LOG_DIR"
  ensure_node_deps
  label="$(build_package)"
  install_everywhere "$label"
  if [[ "$(committed_field version)" == "$label" ]]; then
    step "$label is already the committed definition (sequence $(committed_field sequence))"
    approve_where_missing "$label"
  else
    approve_and_commit "$label"
  fi
  wait_until_serving
  wait_for_discovery
  step "chaincode $CHAINCODE_NAME ($label) serving on every peer, deployed in $((SECONDS - started))s"
}

main "$@"
