#!/usr/bin/env bash
# Installs the pinned Hyperledger Fabric and Fabric CA binaries into a cache outside the clone, keyed
# by the pins, from the first of three sources that works, and says which one it used:
#
#   1. the cache itself, when an earlier run completed an install of exactly these pins;
#   2. pinned release source archives (with their vendor/ trees) in GOVSHARE_FABRIC_SOURCES, default
#      ../shared/fabric-src beside the project root: each archive is checked against the SHA-256 pinned
#      in scripts/lib/env.sh, then built offline (-mod=vendor, GOPROXY=off) with upstream's version
#      metadata. This is also the air-gapped install: copy the two archives, set the variable;
#   3. `go install` of the pinned modules from the Go module proxy (GOPROXY), where it serves them.
#
# A product lands in the cache only complete, built, version-checked and stamped: every build goes to a
# staging directory that is renamed into place at the end, so nothing half-built is ever cached.
#
# Usage: install-fabric.sh          install (or reuse) and check the versions
#        install-fabric.sh --check  only check that the cached binaries report the pinned versions
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"

readonly fabric_tools=(peer orderer configtxgen configtxlator osnadmin discover)
readonly fabric_ca_tools=(fabric-ca-server fabric-ca-client)
readonly stamp_name=.govshare-installed
# Upstream's Makefiles set these with -ldflags -X; without them `peer version` says "development build".
readonly fabric_ldflags="-X github.com/hyperledger/fabric/common/metadata.Version=${FABRIC_VERSION#v} -X github.com/hyperledger/fabric/common/metadata.CommitSHA=${FABRIC_COMMIT:0:7}"
readonly fabric_ca_ldflags="-X github.com/hyperledger/fabric-ca/lib/metadata.Version=$FABRIC_CA_VERSION"

# What each source reported when it could not be used, for the one message that names all three.
declare -A unavailable=()

check_go() {
  command -v go >/dev/null 2>&1 ||
    die "Go is not installed. Install Go >= $FABRIC_GO_MIN (Fabric $FABRIC_VERSION's go.mod) and re-run."
  local have; have="$(go env GOVERSION)"; have="${have#go}"
  # sort -V orders versions numerically; the smaller of the two must be the minimum.
  if [[ "$(printf '%s\n%s\n' "$FABRIC_GO_MIN" "$have" | sort -V | head -n 1)" != "$FABRIC_GO_MIN" ]]; then
    die "Go $have is too old: Fabric $FABRIC_VERSION needs Go >= $FABRIC_GO_MIN."
  fi
}

# product_dir / product_tools / product_label <fabric|fabric-ca>
product_dir() { if [[ "$1" == fabric ]]; then dirname "$FABRIC_BIN"; else dirname "$FABRIC_CA_BIN"; fi; }
product_tools() { if [[ "$1" == fabric ]]; then echo "${fabric_tools[@]}"; else echo "${fabric_ca_tools[@]}"; fi; }
product_label() { if [[ "$1" == fabric ]]; then echo "Fabric $FABRIC_VERSION"; else echo "Fabric CA $FABRIC_CA_VERSION"; fi; }

# expected_version_line <tool>: the line its `version` output must contain.
expected_version_line() {
  case "$1" in
    fabric-ca-*) echo "Version: $FABRIC_CA_VERSION" ;;
    *) echo "Version: ${FABRIC_VERSION#v}" ;;
  esac
}

# version_of <bin dir> <tool>: what the tool says of its version. osnadmin (a fixed "0.0.1") and
# discover print none of their own; they come from the same build as peer, so they are checked to run.
version_of() {
  local dir="$1" tool="$2"
  case "$tool" in
    configtxgen) "$dir/$tool" -version ;;
    osnadmin | discover) "$dir/$tool" --help >/dev/null 2>&1 && expected_version_line "$tool" ;;
    *) "$dir/$tool" version ;;
  esac
}

# check_versions <product> <bin dir>: every tool runs and reports the pinned version (and, for
# Fabric's peer and orderer, the pinned commit).
check_versions() {
  local product="$1" dir="$2" tool output want ok=0
  for tool in $(product_tools "$product"); do
    if [[ ! -x "$dir/$tool" ]]; then
      printf '[govshare] %s is missing from %s\n' "$tool" "$dir" >&2; ok=1; continue
    fi
    if ! output="$(version_of "$dir" "$tool" 2>&1)"; then
      printf '[govshare] %s does not run:\n%s\n' "$tool" "$output" >&2; ok=1; continue
    fi
    want="$(expected_version_line "$tool")"
    if ! grep -qF "$want" <<<"$output"; then
      printf '[govshare] %s reports a version other than the pinned one (want "%s"):\n%s\n' "$tool" "$want" "$output" >&2
      ok=1; continue
    fi
    if [[ "$tool" == peer || "$tool" == orderer ]] && ! grep -qF "Commit SHA: ${FABRIC_COMMIT:0:7}" <<<"$output"; then
      printf '[govshare] %s was not built from commit %s:\n%s\n' "$tool" "${FABRIC_COMMIT:0:7}" "$output" >&2
      ok=1
    fi
  done
  return "$ok"
}

# cached <product>: the cache holds a complete, stamped install of exactly these pins.
cached() {
  local dir; dir="$(product_dir "$1")"
  [[ -f "$dir/$stamp_name" ]] || return 1
  local tool
  for tool in $(product_tools "$1"); do [[ -x "$dir/bin/$tool" ]] || return 1; done
  [[ "$1" != fabric || (-f "$dir/config/core.yaml" && -f "$dir/config/orderer.yaml") ]]
}

# build_tool <label> <source dir> <out dir> <ldflags> <tool>: one `go build` with a progress line every
# 20 s, so a 90 s build of peer is never silence.
build_tool() {
  local label="$1" src="$2" out="$3" ldflags="$4" tool="$5" started=$SECONDS ticker status=0
  step "$label: building $tool"
  (while sleep 20; do step "$label: still building $tool ($((SECONDS - started)) s)"; done) &
  ticker=$!
  (cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$out/$tool" "./cmd/$tool") || status=$?
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  ((status == 0)) || return "$status"
  step "$label: built $tool in $((SECONDS - started)) s"
}

# sha256_ok <file> <expected>: the file's SHA-256 equals the pinned value; says which file if not.
sha256_ok() {
  local file="$1" want="$2" got
  got="$(sha256sum "$file" | cut -d' ' -f1)"
  [[ "$got" == "$want" ]] && return 0
  printf '[govshare] error: checksum mismatch for %s\n  expected SHA-256 %s (pinned in scripts/lib/env.sh)\n  got               %s\nThe archive is corrupt or not the pinned release; nothing was built or cached.\n' \
    "$file" "$want" "$got" >&2
  return 1
}

# stage_into_cache <product> <staging dir> <source description>: stamps the staged install and renames it
# into place (the same file system, so the rename is atomic).
stage_into_cache() {
  local product="$1" staging="$2" source="$3" dir
  dir="$(product_dir "$product")"
  check_versions "$product" "$staging/bin" ||
    die "$(product_label "$product") built from $source does not report the pinned version; nothing was cached"
  printf 'source=%s\ninstalled=%s\n' "$source" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$staging/$stamp_name"
  rm -rf "$dir"
  mv "$staging" "$dir"
}

# new_staging <product>: sets `staging` to an empty directory inside the cache (the rename into place
# must not cross file systems), removed on exit unless renamed. Not called as $(…): the cleanup list
# must be this shell's.
new_staging() {
  mkdir -p "$GOVSHARE_CACHE"
  staging="$(mktemp -d "$GOVSHARE_CACHE/.staging-$1.XXXXXX")"
  chmod 755 "$staging"  # mktemp makes it 0700; the cache is for every user of the machine
  staging_dirs+=("$staging")
}

# from_archives <product>: source 2. Returns 1 (with the reason noted) when no archive is there,
# and dies when one is there but fails its checksum: a corrupt pinned input is never worked around.
from_archives() {
  local product="$1" archive sha top ldflags
  if [[ "$product" == fabric ]]; then
    archive="$FABRIC_SOURCE_ARCHIVE" sha="$FABRIC_SOURCE_SHA256" top="fabric-${FABRIC_VERSION#v}" ldflags="$fabric_ldflags"
  else
    archive="$FABRIC_CA_SOURCE_ARCHIVE" sha="$FABRIC_CA_SOURCE_SHA256" top="fabric-ca-${FABRIC_CA_VERSION#v}" ldflags="$fabric_ca_ldflags"
  fi
  if [[ -z "$GOVSHARE_FABRIC_SOURCES" ]]; then
    unavailable[archives]="GOVSHARE_FABRIC_SOURCES is not set and ../shared/fabric-src does not exist"
    return 1
  fi
  local file="$GOVSHARE_FABRIC_SOURCES/$archive"
  if [[ ! -f "$file" ]]; then
    unavailable[archives]="no $archive in $GOVSHARE_FABRIC_SOURCES"
    return 1
  fi
  local label; label="$(product_label "$product")"
  step "$label: verifying $file against the pinned SHA-256"
  sha256_ok "$file" "$sha" || exit 1

  local work staging
  work="$(mktemp -d)"; work_dirs+=("$work")
  new_staging "$product"
  step "$label: extracting the release sources"
  tar -xzf "$file" -C "$work"
  [[ -d "$work/$top/vendor" ]] || die "$file has no $top/vendor/ tree: it cannot be built offline"
  mkdir -p "$staging/bin"
  local tool
  for tool in $(product_tools "$product"); do
    # Offline: every dependency comes from the archive's vendor/, no proxy, no toolchain download.
    GOFLAGS="-mod=vendor -buildvcs=false" GOPROXY=off GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=1 \
      build_tool "$label" "$work/$top" "$staging/bin" "$ldflags" "$tool" ||
      die "$label: building $tool from $file failed (see above); nothing was cached"
  done
  if [[ "$product" == fabric ]]; then
    # The nodes start from upstream's sampleconfig of the same commit and override it per node.
    mkdir -p "$staging/config"
    cp "$work/$top/sampleconfig/core.yaml" "$work/$top/sampleconfig/orderer.yaml" "$staging/config/"
  fi
  stage_into_cache "$product" "$staging" "source archive $file (sha256 $sha)"
  step "$label: installed from the source archive $file into $(product_dir "$product")"
}

# from_proxy <product>: source 3, `go install` of the pinned module from the Go module proxy. The pin is
# required from a throwaway module: `go install pkg@version` also asks for the version list (to print
# deprecations), and a proxy that serves the version but not the list would fail for no reason.
from_proxy() {
  local product="$1" module version ldflags
  if [[ "$product" == fabric ]]; then
    module=github.com/hyperledger/fabric version="$FABRIC_GO_VERSION" ldflags="$fabric_ldflags"
  else
    module=github.com/hyperledger/fabric-ca version="$FABRIC_CA_VERSION" ldflags="$fabric_ca_ldflags"
  fi
  local label work staging log
  label="$(product_label "$product")"
  work="$(mktemp -d)"; work_dirs+=("$work")
  log="$work/download.log"
  printf 'module govshare.local/fabric-tools\n\ngo %s\n\nrequire %s %s\n' "$FABRIC_GO_MIN" "$module" "$version" >"$work/go.mod"
  step "$label: downloading $module@$version from the Go module proxy ($(go env GOPROXY))"
  if ! (cd "$work" && GOFLAGS=-mod=mod go mod download "$module") >"$log" 2>&1; then
    unavailable[proxy]="$(go env GOPROXY) did not serve $module@$version: $(grep -m1 -E 'Forbidden|not available|disabled|error|refused' "$log" || tail -n 1 "$log")"
    return 1
  fi
  new_staging "$product"
  mkdir -p "$staging/bin"
  local tool src
  src="$(cd "$work" && go list -m -f '{{.Dir}}' "$module")"
  for tool in $(product_tools "$product"); do
    GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=1 build_tool "$label" "$work" "$staging/bin" "$ldflags" "$tool" ||
      die "$label: building $tool from $module@$version failed (see above); nothing was cached"
  done
  if [[ "$product" == fabric ]]; then
    mkdir -p "$staging/config"
    cp "$src/sampleconfig/core.yaml" "$src/sampleconfig/orderer.yaml" "$staging/config/"
    chmod u+w "$staging/config"/*.yaml
  fi
  stage_into_cache "$product" "$staging" "Go module proxy $module@$version"
  step "$label: installed with go install from the Go module proxy into $(product_dir "$product")"
}

no_source() {
  local product="$1"
  die "$(product_label "$product") could not be installed from any of its three sources:
  1. the cache $(product_dir "$product"): no complete install of these pins (this script fills it; GOVSHARE_CACHE moves it);
  2. source archives: ${unavailable[archives]:-not tried}.
     To build offline (also on an air-gapped machine), copy $FABRIC_SOURCE_ARCHIVE and $FABRIC_CA_SOURCE_ARCHIVE
     (SHA-256 pinned in scripts/lib/env.sh) into a directory and set GOVSHARE_FABRIC_SOURCES to it;
  3. the Go module proxy: ${unavailable[proxy]:-not tried}.
     Set GOPROXY to a proxy that serves github.com/hyperledger/* at the pinned versions, or use 2."
}

install_product() {
  local product="$1" label dir
  label="$(product_label "$product")"; dir="$(product_dir "$product")"
  if cached "$product"; then
    step "$label: cached in $dir ($(sed -n 's/^source=//p' "$dir/$stamp_name"))"
    return
  fi
  from_archives "$product" && return
  from_proxy "$product" && return
  no_source "$product"
}

staging_dirs=()
work_dirs=()
cleanup() {
  local d
  for d in "${staging_dirs[@]}" "${work_dirs[@]}"; do
    # Go's module cache is read-only; make it removable first.
    [[ -d "$d" ]] && { chmod -R u+w "$d" 2>/dev/null || true; rm -rf "$d"; }
  done
  return 0
}
trap cleanup EXIT

# check_all: both products' binaries report the pinned versions.
check_all() {
  check_versions fabric "$FABRIC_BIN" || return 1
  check_versions fabric-ca "$FABRIC_CA_BIN"
}

main() {
  if [[ "${1:-}" == --check ]]; then
    check_all || die "the Fabric binaries in $GOVSHARE_CACHE do not report the pinned versions"
    step "Fabric binaries report the pinned versions: Fabric ${FABRIC_VERSION#v} (${FABRIC_COMMIT:0:7}), Fabric CA $FABRIC_CA_VERSION"
    return
  fi
  check_go
  install_product fabric
  install_product fabric-ca
  check_all || die "the cached Fabric binaries do not report the pinned versions: delete $GOVSHARE_CACHE/fabric-* and re-run"
  step "Fabric binaries ready: $FABRIC_BIN $FABRIC_CA_BIN"
}

main "$@"
