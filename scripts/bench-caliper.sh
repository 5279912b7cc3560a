#!/usr/bin/env bash
# `npm run bench:caliper`: the Caliper workload in bench/caliper/ (RegisterDataset, ReadDataset) against
# the running network through the Fabric peer gateway connector (start the network with `npm start`).
# Caliper is installed outside the workspace, never in package.json or the lockfile, into
#   $GOVSHARE_CACHE/caliper-<core version>: @hyperledger/caliper-core and caliper-fabric 0.7.1 (the newest,
#   Node >= 22) with @hyperledger/fabric-gateway 1.12.1 (the Fabric peer gateway connector) and the newest
#   caliper-cli, 0.6.0. The CLI pins core and fabric at exactly 0.6.0, so npm `overrides` make it share
#   the 0.7.1 packages instead (its launch/manager/worker commands are thin wrappers around caliper-core).
# Settings: BENCH_CALIPER_WORKERS (2), BENCH_CALIPER_SECONDS (30), BENCH_CALIPER_LOAD (8 in flight).
# Writes the report to bench/results/caliper-<time>.html.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"
# shellcheck source=scripts/lib/node-deps.sh
source "$here/lib/node-deps.sh"
ensure_node_deps

CALIPER_VERSION=0.7.1
CALIPER_CLI_VERSION=0.6.0
CALIPER_FABRIC_GATEWAY_VERSION=1.12.1
prefix="$GOVSHARE_CACHE/caliper-$CALIPER_VERSION-cli-$CALIPER_CLI_VERSION"
caliper="$prefix/node_modules/.bin/caliper"
workers="${BENCH_CALIPER_WORKERS:-2}"
seconds="${BENCH_CALIPER_SECONDS:-30}"
load="${BENCH_CALIPER_LOAD:-8}"

curl -fs --max-time 2 "http://$GOVSHARE_HOST:$(gateway_port education)/readyz" >/dev/null ||
  die "the education gateway is not ready: run 'npm start' first"

if [[ ! -x "$caliper" || ! -d "$prefix/node_modules/@hyperledger/fabric-gateway" ]]; then
  step "installing Caliper $CALIPER_VERSION (CLI $CALIPER_CLI_VERSION) into $prefix (outside the workspace)"
  mkdir -p "$prefix"
  cat >"$prefix/package.json" <<JSON
{
  "private": true,
  "dependencies": {
    "@hyperledger/caliper-cli": "$CALIPER_CLI_VERSION",
    "@hyperledger/caliper-core": "$CALIPER_VERSION",
    "@hyperledger/caliper-fabric": "$CALIPER_VERSION",
    "@hyperledger/fabric-gateway": "$CALIPER_FABRIC_GATEWAY_VERSION"
  },
  "overrides": {
    "@hyperledger/caliper-core": "\$@hyperledger/caliper-core",
    "@hyperledger/caliper-fabric": "\$@hyperledger/caliper-fabric"
  }
}
JSON
  (cd "$prefix" && npm install --no-audit --no-fund --loglevel=error)
fi

out="$GOVSHARE_STATE/caliper"
mkdir -p "$out"
chmod 700 "$out"
org=education
msp="$(user_msp "$org" "$org-officer")"
key="$(find "$msp/keystore" -name '*_sk' | head -n 1)"
[[ -n "$key" ]] || die "no private key in $msp/keystore"

cat >"$out/connection-$org.yaml" <<YAML
name: govshare-$org
version: "1.0.0"
client:
  organization: $org
organizations:
  $org:
    mspid: $(msp_id "$org")
    peers: [$(peer_name "$org")]
peers:
  $(peer_name "$org"):
    url: grpcs://$GOVSHARE_HOST:$(peer_port "$org")
    tlsCACerts:
      path: $(ca_cert "$org")
    grpcOptions:
      ssl-target-name-override: localhost
YAML

cat >"$out/network.yaml" <<YAML
name: govshare
version: "2.0.0"
caliper:
  blockchain: fabric
channels:
  - channelName: govchannel
    contracts:
      - id: govshare
organizations:
  - mspid: $(msp_id "$org")
    identities:
      certificates:
        - name: $org-officer
          clientPrivateKey:
            path: $key
          clientSignedCert:
            path: $msp/signcerts/cert.pem
    connectionProfile:
      path: $out/connection-$org.yaml
      discover: true
YAML

sed -e "s/\${BENCH_CALIPER_WORKERS}/$workers/" -e "s/\${BENCH_CALIPER_SECONDS}/$seconds/g" \
  -e "s/\${BENCH_CALIPER_LOAD}/$load/g" "$GOVSHARE_ROOT/bench/caliper/benchmark.yaml" >"$out/benchmark.yaml"

mkdir -p "$GOVSHARE_ROOT/bench/results"
report="$GOVSHARE_ROOT/bench/results/caliper-$(date -u +%Y-%m-%dT%H-%M-%SZ).html"
cd "$GOVSHARE_ROOT"
# The workload modules require @hyperledger/caliper-core from Caliper's own prefix.
# Caliper exits 0 even when rounds fail: its summary line decides.
NODE_PATH="$prefix/node_modules" "$caliper" launch manager \
  --caliper-workspace "$GOVSHARE_ROOT" \
  --caliper-networkconfig "$out/network.yaml" \
  --caliper-benchconfig "$out/benchmark.yaml" \
  --caliper-flow-only-test \
  --caliper-report-path "$report" 2>&1 | tee "$out/caliper.log"
echo "report: ${report#"$GOVSHARE_ROOT"/}, log: $out/caliper.log"
grep -q 'Failed rounds: 0\.' "$out/caliper.log" || die "Caliper rounds failed (see $out/caliper.log)"
