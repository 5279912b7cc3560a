# fabric-samples' asset-transfer-basic TypeScript chaincode: the contract most Fabric applications start
# from, deployed beside govshare's as a benchmark baseline (issue 20). Sourced, never executed; needs env.sh.
# shellcheck shell=bash
#
# Where it comes from, first match:
#   BENCH_ASSET_TRANSFER_BASIC   a directory: a fabric-samples checkout, or its asset-transfer-basic/chaincode-typescript
#   GOVSHARE_FABRIC_SAMPLES      a directory holding asset-transfer-basic.tar.gz (`git archive` of fabric-samples at
#                                the commit in its README), checked against the SHA-256 pinned here; by default
#                                ../shared/fabric-samples beside the checkout
# It is built with its own lockfile (npm-shrinkwrap.json: npm ci, its own tsc), production dependencies only,
# into $GOVSHARE_STATE/bench/asset-transfer-basic, and rebuilt only when its sources change.

ASSET_TRANSFER_BASIC_ARCHIVE_SHA256=8169dfff0ef9cc632645fd5f088a8e043179f38cb5925b1cb7a42dd69c9cf7ef
ASSET_TRANSFER_BASIC_STAGE="$GOVSHARE_STATE/bench/asset-transfer-basic"

# asset_transfer_basic_sources: prints the chaincode-typescript directory to build, or fails saying why.
asset_transfer_basic_sources() {
  local dir="${BENCH_ASSET_TRANSFER_BASIC:-}"
  if [[ -z "$dir" ]]; then
    local samples="${GOVSHARE_FABRIC_SAMPLES:-$GOVSHARE_ROOT/../shared/fabric-samples}"
    local archive="$samples/asset-transfer-basic.tar.gz"
    [[ -f "$archive" ]] || { echo "no $archive (set BENCH_ASSET_TRANSFER_BASIC to a fabric-samples checkout)" >&2; return 1; }
    [[ "$(sha256sum "$archive" | cut -d' ' -f1)" == "$ASSET_TRANSFER_BASIC_ARCHIVE_SHA256" ]] ||
      { echo "$archive does not have the pinned SHA-256 $ASSET_TRANSFER_BASIC_ARCHIVE_SHA256" >&2; return 1; }
    rm -rf "$ASSET_TRANSFER_BASIC_STAGE/archive"
    mkdir -p "$ASSET_TRANSFER_BASIC_STAGE/archive"
    tar -xzf "$archive" -C "$ASSET_TRANSFER_BASIC_STAGE/archive"
    dir="$ASSET_TRANSFER_BASIC_STAGE/archive/fabric-samples"
  fi
  [[ -d "$dir/asset-transfer-basic/chaincode-typescript" ]] && dir="$dir/asset-transfer-basic/chaincode-typescript"
  [[ -f "$dir/package.json" && -d "$dir/src" ]] || { echo "$dir is not asset-transfer-basic's chaincode-typescript" >&2; return 1; }
  echo "$dir"
}

# build_asset_transfer_basic: prints the directory of the built chaincode (package.json, dist/, production
# node_modules) for deploy-chaincode.sh --source.
build_asset_transfer_basic() {
  local sources out="$ASSET_TRANSFER_BASIC_STAGE/chaincode" stamp="$ASSET_TRANSFER_BASIC_STAGE/chaincode.sources-sha256" digest
  sources="$(asset_transfer_basic_sources)" || return 1
  digest="$(cd "$sources" && find . -path ./node_modules -prune -o -path ./dist -prune -o -type f -print0 | sort -z |
    xargs -0 sha256sum | sha256sum | cut -c1-16)"
  if [[ -f "$stamp" && -d "$out/node_modules" && "$(cat "$stamp")" == "$digest" ]]; then
    echo "$out"
    return
  fi
  step "building asset-transfer-basic (chaincode-typescript) from $sources with its own lockfile"
  rm -rf "$out"
  mkdir -p "$out"
  (cd "$sources" && tar --exclude=./node_modules --exclude=./dist -cf - .) | tar -C "$out" -xf -
  (cd "$out" && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build && npm prune --omit=dev --no-audit --no-fund --loglevel=error) >&2 ||
    { echo "building asset-transfer-basic failed" >&2; return 1; }
  # The peer unpacks a chaincode package with regular files and directories only: npm's node_modules/.bin
  # links (the chaincode's start script is not used; the builder runs fabric-shim's cli.js) must go.
  find "$out/node_modules" -type l -delete
  echo "$digest" >"$stamp"
  echo "$out"
}
