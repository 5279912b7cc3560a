#!/usr/bin/env bash
# Adds a department to the running channel, the way a real consortium does it:
#   add-department.sh <name> [--peer-only]   e.g. health → HealthMSP, peer0.health, ca.health
# 1. its own Fabric CA and identities (peer, admin, officer/approver/auditor users, gateway TLS and,
#    in BFT mode, its orderer orderer0.<name>);
# 2. its peer and orderer (ports from the next org index; the name is recorded in
#    .govshare/departments, and in .govshare/consenters when it orders);
# 3. a channel configuration update adding the org to the Application group and (BFT) to the
#    Orderer group with its orderer's endpoint (configtxgen -printOrg, configtxlator compute_update),
#    signed by a MAJORITY of the existing departments' admins and submitted;
# 4. its peer joins the channel and catches up; its orderer joins as a follower and replicates;
# 5. (BFT) a second update makes that orderer a consenter: the consenter mapping gets it as id
#    <org index>, and BlockValidation becomes a quorum of the new set (4 of 5); signed by a majority;
# 6. the committed chaincode definition is approved for the new org (same package installed,
#    approveformyorg at the current sequence);
# 7. its gateway starts.
# In hosts mode (network.sh up --hosts) the department first gets a host of its own: a namespace with its
# address on the bridge, and its nodes' names in every host's name table.
# --peer-only (or Raft mode): the department joins with its peer only and runs no orderer.
# Every step checks what is already done, so re-running after a failure finishes the job.
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
# shellcheck source=scripts/lib/nodes.sh
source "$here/lib/nodes.sh"
# shellcheck source=scripts/lib/channel.sh
source "$here/lib/channel.sh"

usage() { echo "usage: $0 <department name, e.g. health> [--peer-only]" >&2; exit 2; }
[[ $# -ge 1 && $# -le 2 ]] || usage
name="$1"
with_orderer=false
[[ "$GOVSHARE_CONSENSUS" == bft ]] && with_orderer=true
if [[ $# -eq 2 ]]; then
  [[ "$2" == --peer-only ]] || usage
  with_orderer=false
fi
[[ "$name" =~ ^[a-z][a-z0-9]{1,15}$ ]] || die "a department name is 2-16 lower-case letters or digits, starting with a letter"
[[ "$name" != orderer ]] || die "'orderer' is the ordering service's org"
if [[ " ${PEER_ORGS[*]} " != *" $name "* ]] && ((${#PEER_ORGS[@]} + 1 > MAX_ORG_INDEX)); then
  die "this network already has ${#PEER_ORGS[@]} departments (${PEER_ORGS[*]}); the port layout holds $MAX_ORG_INDEX (scripts/lib/env.sh, MAX_ORG_INDEX): a further department would reuse another node's ports"
fi
[[ -f "$(genesis_block)" ]] || die "the network is not set up: run npm start first"
# shellcheck source=scripts/lib/hosts.sh
source "$here/lib/hosts.sh"
mspid="$(msp_id "$name")"
orderer="$(orderer_name "$name")"
work="$GOVSHARE_STATE/departments.d/$name"
mkdir -p "$work" "$LOG_DIR"
log="$LOG_DIR/add-department.log"

# orderer_flags <org>: the ordering service as that org's admin reaches it (its own orderer in BFT mode).
orderer_flags() { echo -o "$(orderer_address "$1")" --tls --cafile "$(orderer_ca "$1")"; }

# The departments already in the channel: every org before this one (the registry keeps the order).
existing=()
for org in "${PEER_ORGS[@]}"; do
  [[ "$org" == "$name" ]] && break
  existing+=("$org")
done

register_department() {
  if [[ " ${PEER_ORGS[*]} " != *" $name "* ]]; then
    echo "$name" >>"$DEPARTMENTS_FILE"
    PEER_ORGS+=("$name")
    CA_ORGS+=("$name")
    step "registered $name as department $(org_index "$name") (CA port $(ca_port "$name"), peer port $(peer_port "$name"), gateway port $(gateway_port "$name"))"
  fi
  if [[ "$with_orderer" == true && " ${ORDERERS[*]} " != *" $orderer "* ]]; then
    echo "$name" >>"$CONSENTERS_FILE"
    ORDERER_ORGS+=("$name")
    ORDERERS+=("$orderer")
    step "registered $orderer (port $(orderer_port "$orderer"), consenter id $(consenter_id "$orderer"))"
  fi
}

start_ca_and_peer() {
  render_node_config
  step "starting ca.$name and enrolling its identities"
  start_ca "$name"
  wait_for_ca "$name"
  enroll_org_identities "$name"
  step "starting $(peer_name "$name")"
  start_peer "$name"
  if [[ "$with_orderer" == true ]]; then
    step "starting $orderer"
    start_orderer "$orderer"
    wait_for_port "$orderer" "$(orderer_admin_port "$orderer")"
  fi
  wait_for_port "$(peer_name "$name")" "$(peer_port "$name")"
}

# channel_config_json <org> <out.json>: the channel's current config, fetched by that org's admin.
channel_config_json() {
  local org="$1" out="$2"
  # shellcheck disable=SC2046 # orderer_flags is a list of words
  peer_as_admin "$org" channel fetch config "$work/config_block.pb" -c "$CHANNEL_NAME" $(orderer_flags "$org") >>"$log" 2>&1 ||
    die "could not fetch the channel configuration; see $log"
  configtxlator proto_decode --input "$work/config_block.pb" --type common.Block --output "$work/config_block.json"
  node -e 'const b = require(process.argv[1]); process.stdout.write(JSON.stringify(b.data.data[0].payload.data.config));' \
    "$work/config_block.json" >"$out"
}

# in_channel_config: the org is in the Application group and, when it orders, in the Orderer group.
in_channel_config() {
  channel_config_json "${existing[0]}" "$work/config.json"
  node -e '
    const groups = require(process.argv[1]).channel_group.groups;
    const [mspid, withOrderer] = process.argv.slice(2);
    process.exit(groups.Application.groups[mspid] && (withOrderer !== "true" || groups.Orderer.groups[mspid]) ? 0 : 1);
  ' "$work/config.json" "$mspid" "$with_orderer"
}

# is_consenter: the channel's consenter mapping has the department's orderer.
is_consenter() {
  channel_config_json "${existing[0]}" "$work/config.json"
  node -e '
    const values = require(process.argv[1]).channel_group.groups.Orderer.values;
    process.exit((values.Orderers?.value.consenter_mapping ?? []).some((c) => c.msp_id === process.argv[2]) ? 0 : 1);
  ' "$work/config.json" "$mspid"
}

# org_definition <application|orderer> <out.json>: the org as configtxgen prints it, from the same
# definition the genesis block's orgs have (org_yaml in scripts/lib/channel.sh).
org_definition() {
  local part="$1" out="$2"
  mkdir -p "$work/$part"
  printf 'Organizations:\n%s\n' "$(org_yaml "$name" "$part")" >"$work/$part/configtx.yaml"
  configtxgen -configPath "$work/$part" -printOrg "$mspid" >"$out" 2>>"$log" || die "configtxgen -printOrg failed; see $log"
}

# update_envelope <modified_config.json>: config.json → modified → a signed-ready config update
# envelope (update_envelope.pb).
update_envelope() {
  configtxlator proto_encode --input "$work/config.json" --type common.Config --output "$work/config.pb"
  configtxlator proto_encode --input "$1" --type common.Config --output "$work/modified_config.pb"
  configtxlator compute_update --channel_id "$CHANNEL_NAME" --original "$work/config.pb" \
    --updated "$work/modified_config.pb" --output "$work/update.pb"
  configtxlator proto_decode --input "$work/update.pb" --type common.ConfigUpdate --output "$work/update.json"
  node -e '
    const fs = require("node:fs");
    const [updateFile, channel, out] = process.argv.slice(1);
    const update = JSON.parse(fs.readFileSync(updateFile, "utf8"));
    fs.writeFileSync(out, JSON.stringify({ payload: { header: { channel_header: { channel_id: channel, type: 2 } }, data: { config_update: update } } }));
  ' "$work/update.json" "$CHANNEL_NAME" "$work/update_envelope.json"
  configtxlator proto_encode --input "$work/update_envelope.json" --type common.Envelope --output "$work/update_envelope.pb"
}

# sign_and_submit <what>: update_envelope.pb signed by a MAJORITY of the existing departments' admins
# (Admins of the Application and of the Orderer group are both MAJORITY Admins: more than half of
# their orgs; the founding departments, first in the registry, are in both) and submitted.
sign_and_submit() {
  local what="$1" orderer_orgs=0 org needed i
  for org in "${existing[@]}"; do
    [[ " ${ORDERER_ORGS[*]} " == *" $org "* ]] && orderer_orgs=$((orderer_orgs + 1))
  done
  needed=$((${#existing[@]} / 2 + 1))
  ((orderer_orgs / 2 + 1 > needed)) && needed=$((orderer_orgs / 2 + 1))
  step "signing the update ($what) as $needed of ${#existing[@]} department admins (MAJORITY Admins)"
  for ((i = 0; i < needed - 1; i++)); do
    peer_as_admin "${existing[$i]}" channel signconfigtx -f "$work/update_envelope.pb" >>"$log" 2>&1 ||
      die "${existing[$i]} admin could not sign the update; see $log"
    step "  signed by $(msp_id "${existing[$i]}") admin"
  done
  # peer channel update adds the submitting admin's own signature: the last of the majority.
  # shellcheck disable=SC2046
  peer_as_admin "${existing[$((needed - 1))]}" channel update -f "$work/update_envelope.pb" -c "$CHANNEL_NAME" \
    $(orderer_flags "${existing[$((needed - 1))]}") >>"$log" 2>&1 || die "the channel update ($what) was rejected; see $log"
  step "  signed and submitted by $(msp_id "${existing[$((needed - 1))]}") admin"
}

add_to_channel() {
  if in_channel_config; then
    step "$mspid is already in the configuration of $CHANNEL_NAME"
    return
  fi
  step "computing the configuration update that adds $mspid to $CHANNEL_NAME"
  org_definition application "$work/org.json"
  [[ "$with_orderer" == true ]] && org_definition orderer "$work/orderer-org.json"
  node -e '
    const fs = require("node:fs");
    const [configFile, orgFile, ordererOrgFile, mspid, out] = process.argv.slice(1);
    const config = JSON.parse(fs.readFileSync(configFile, "utf8"));
    const groups = config.channel_group.groups;
    groups.Application.groups[mspid] ??= JSON.parse(fs.readFileSync(orgFile, "utf8"));
    if (ordererOrgFile !== "") groups.Orderer.groups[mspid] ??= JSON.parse(fs.readFileSync(ordererOrgFile, "utf8"));
    fs.writeFileSync(out, JSON.stringify(config));
  ' "$work/config.json" "$work/org.json" "$([[ "$with_orderer" == true ]] && echo "$work/orderer-org.json")" "$mspid" \
    "$work/modified_config.json"
  update_envelope "$work/modified_config.json"
  sign_and_submit "add $mspid"
  local attempt
  for attempt in $(seq 1 30); do
    in_channel_config && { step "$mspid is a member of $CHANNEL_NAME"; return; }
    sleep 1
  done
  die "the update was submitted but $mspid is not in the channel configuration after 30s (attempt $attempt)"
}

# orderer_channel_info: the new orderer's view of the channel (osnadmin channel list as its admin).
orderer_channel_info() {
  osnadmin_as_orderer_admin "$orderer" list --channelID "$CHANNEL_NAME" 2>/dev/null | sed -n '/^{/,$p'
}

# join_orderer_as_follower: joined with the newest config block, the orderer is a follower (not in
# the consenter mapping yet) and replicates the chain from the consenters.
join_orderer_as_follower() {
  [[ "$with_orderer" == true ]] || return 0
  join_orderer "$orderer" "$work/config_block.pb"
  local i info target
  for i in $(seq 1 120); do
    info="$(orderer_channel_info)"
    target="$(ledger_height "${existing[0]}")"
    if node -e '
      const info = JSON.parse(process.argv[1] || "{}");
      process.exit(info.status === "active" && Number(info.height) >= Number(process.argv[2]) ? 0 : 1);
    ' "$info" "$target" 2>/dev/null; then
      step "$orderer replicated the channel (height $target, $(node -p 'JSON.parse(process.argv[1]).consensusRelation' "$info"))"
      return
    fi
    sleep 1
  done
  die "$orderer did not replicate the channel after ${i}s: $info"
}

# make_consenter: the orderer joins the consenter set, as the next id (its org index). The block
# validation policy is recomputed from the new set as configtxgen derives it for a new channel
# (common/policies.EncodeBFTBlockVerificationPolicy): every consenter's identity, a quorum of them.
make_consenter() {
  [[ "$with_orderer" == true ]] || return 0
  if is_consenter; then
    step "$orderer is a consenter of $CHANNEL_NAME"
  else
    local home
    home="$(orderer_home "$orderer")"
    step "computing the configuration update that makes $orderer consenter $(consenter_id "$orderer")"
    node -e '
      const fs = require("node:fs");
      const [configFile, id, host, port, mspid, identity, tls, out] = process.argv.slice(1);
      const config = JSON.parse(fs.readFileSync(configFile, "utf8"));
      const orderer = config.channel_group.groups.Orderer;
      const mapping = orderer.values.Orderers.value.consenter_mapping;
      const b64 = (file) => fs.readFileSync(file).toString("base64");
      mapping.push({ id: Number(id), host, port: Number(port), msp_id: mspid, identity: b64(identity), client_tls_cert: b64(tls), server_tls_cert: b64(tls) });
      const n = mapping.length;
      const f = Math.floor((n - 1) / 3);
      orderer.policies.BlockValidation.policy = {
        type: 1,
        value: {
          version: 0,
          rule: { n_out_of: { n: Math.ceil((n + f + 1) / 2), rules: mapping.map((_, i) => ({ signed_by: i })) } },
          identities: mapping.map((c) => ({ principal_classification: "IDENTITY", principal: { mspid: c.msp_id, id_bytes: c.identity } })),
        },
      };
      fs.writeFileSync(out, JSON.stringify(config));
    ' "$work/config.json" "$(consenter_id "$orderer")" "$(node_host "$orderer")" "$(orderer_port "$orderer")" "$mspid" \
      "$home/msp/signcerts/cert.pem" "$home/tls/server.crt" "$work/consenter_config.json"
    update_envelope "$work/consenter_config.json"
    sign_and_submit "add consenter $orderer"
  fi
  local i info
  for i in $(seq 1 60); do
    info="$(orderer_channel_info)"
    if node -e 'const i = JSON.parse(process.argv[1] || "{}"); process.exit(i.consensusRelation === "consenter" && i.status === "active" ? 0 : 1)' "$info" 2>/dev/null; then
      step "$orderer is consenter $(consenter_id "$orderer") of $CHANNEL_NAME: ${#ORDERERS[@]} consenters"
      return
    fi
    sleep 1
  done
  die "$orderer is not an active consenter after ${i}s: $info"
}

join_and_catch_up() {
  join_peer "$name"
  local i height target=0 other h
  for i in $(seq 1 120); do
    target=0
    for other in "${existing[@]}"; do
      h="$(ledger_height "$other")"
      [[ "$h" =~ ^[0-9]+$ && "$h" -gt "$target" ]] && target="$h"
    done
    height="$(ledger_height "$name")"
    if [[ "$height" =~ ^[0-9]+$ && "$height" -ge "$target" ]]; then
      step "$(peer_name "$name") is at height $height, as the others"
      return
    fi
    sleep 1
  done
  die "$(peer_name "$name") did not catch up (height $height, others $target) after ${i}s"
}

# approve_chaincode: the new org approves the committed definition (same package, current sequence),
# so that its peer endorses and validates the chaincode like the others.
approve_chaincode() {
  local committed version sequence package id
  committed="$(peer_as_admin "${existing[0]}" lifecycle chaincode querycommitted -C "$CHANNEL_NAME" -n "$CHAINCODE_NAME" -O json 2>/dev/null)" ||
    { step "no chaincode $CHAINCODE_NAME committed on $CHANNEL_NAME: nothing to approve"; return; }
  version="$(node -p 'JSON.parse(process.argv[1]).version' "$committed")"
  sequence="$(node -p 'JSON.parse(process.argv[1]).sequence' "$committed")"
  if node -e 'process.exit(JSON.parse(process.argv[1]).approvals[process.argv[2]] ? 0 : 1)' "$committed" "$mspid"; then
    step "$mspid has approved $CHAINCODE_NAME $version (sequence $sequence)"
  else
    package="$GOVSHARE_STATE/chaincode/$CHAINCODE_NAME/$version.tar.gz"
    [[ -f "$package" ]] || die "the package of the committed definition ($package) is missing: run scripts/deploy-chaincode.sh"
    id="$(peer_as_admin "$name" lifecycle chaincode queryinstalled -O json 2>/dev/null |
      node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
        const c = (JSON.parse(s || "{}").installed_chaincodes || []).find((x) => x.label === process.argv[1]);
        if (c) process.stdout.write(c.package_id); });' "$version")"
    if [[ -z "$id" ]]; then
      step "installing $version on $(peer_name "$name")"
      peer_as_admin "$name" lifecycle chaincode install "$package" >>"$log" 2>&1 || die "install failed; see $log"
      id="$(peer_as_admin "$name" lifecycle chaincode calculatepackageid "$package")"
    fi
    step "approving $CHAINCODE_NAME $version (sequence $sequence) for $mspid"
    # shellcheck disable=SC2046
    peer_as_admin "$name" lifecycle chaincode approveformyorg $(orderer_flags "$name") -C "$CHANNEL_NAME" \
      -n "$CHAINCODE_NAME" --version "$version" --package-id "$id" --sequence "$sequence" >>"$log" 2>&1 ||
      die "approval by $mspid failed; see $log"
  fi
  local i
  for i in $(seq 1 60); do
    if peer_as_admin "$name" chaincode query -C "$CHANNEL_NAME" -n "$CHAINCODE_NAME" \
      -c '{"function":"org.hyperledger.fabric:GetMetadata","Args":[]}' >/dev/null 2>>"$log"; then
      step "$(peer_name "$name") serves $CHAINCODE_NAME"
      return
    fi
    sleep 1
  done
  die "$(peer_name "$name") does not serve $CHAINCODE_NAME after ${i}s; see $log"
}

main() {
  local started=$SECONDS
  [[ ${#existing[@]} -ge 1 ]] || die "no existing department to sign the update"
  register_department
  # Hosts mode: the department's own host (namespace, address on the bridge) and its nodes' names in every
  # host's name table, rewritten in place so that the running nodes resolve them too.
  if hosts_mode; then hosts_up; fi
  start_ca_and_peer
  add_to_channel
  join_and_catch_up
  join_orderer_as_follower
  make_consenter
  approve_chaincode
  step "starting the gateways"
  "$here/gateways.sh" start
  step "department $name ($mspid) added to $CHANNEL_NAME in $((SECONDS - started))s"
}

main
