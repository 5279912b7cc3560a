#!/usr/bin/env bash
# Builds the pinned Hyperledger Fabric and Fabric CA binaries with `go install` into a cache outside
# the clone, keyed by the pins, so a fresh clone (or CI) rebuilds only when a pin changes.
#
# Both pins are installed from a throwaway module that requires them: `go install pkg@version` also
# asks the proxy for the module's version list (to print deprecations), and a proxy that serves the
# pinned version but not the list would fail the whole install for no reason.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"

readonly required_go_minor=26   # fabric v3.1.5's go.mod says `go 1.26.4`
readonly fabric_tools=(peer orderer configtxgen configtxlator osnadmin discover)
readonly fabric_ca_tools=(fabric-ca-server fabric-ca-client)

check_go() {
  command -v go >/dev/null 2>&1 ||
    die "Go is not installed. Install Go >= 1.${required_go_minor} and re-run."
  local version minor
  version="$(go env GOVERSION)"
  minor="$(sed -E 's/^go1\.([0-9]+).*/\1/' <<<"$version")"
  if [[ ! "$minor" =~ ^[0-9]+$ ]] || ((minor < required_go_minor)); then
    die "Go $version is too old: Fabric $FABRIC_VERSION needs Go >= 1.${required_go_minor}."
  fi
}

all_present() {
  local dir="$1"; shift
  local tool
  for tool in "$@"; do [[ -x "$dir/$tool" ]] || return 1; done
}

# install_pinned <bin dir> <module> <version> <tool...>
install_pinned() {
  local bin_dir="$1" module="$2" version="$3"; shift 3
  if all_present "$bin_dir" "$@" && [[ "$module" != */fabric || -f "$FABRIC_CONFIG/core.yaml" ]]; then
    step "$module@$version: cached in $bin_dir"
    return
  fi
  local work; work="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: the trap must remove this very directory
  trap "rm -rf '$work'" RETURN
  printf 'module govshare.local/fabric-tools\n\ngo 1.%s\n\nrequire %s %s\n' \
    "$required_go_minor" "$module" "$version" >"$work/go.mod"
  step "$module@$version: downloading sources"
  if ! (cd "$work" && GOFLAGS=-mod=mod go mod download "$module"); then
    die "the Go module proxy did not serve $module@$version (see the error above). Check GOPROXY, or build the pinned commit once by other means into $bin_dir."
  fi
  local tool started
  mkdir -p "$bin_dir"
  for tool in "$@"; do
    [[ -x "$bin_dir/$tool" ]] && continue
    started=$SECONDS
    step "$tool: building (the first build of peer and orderer takes minutes on 2 cores)"
    (cd "$work" && GOFLAGS=-mod=mod GOBIN="$work/bin" CGO_ENABLED=1 go install "$module/cmd/$tool")
    # Move into place only once built, so an interrupted build never leaves a half-written binary.
    mv "$work/bin/$tool" "$bin_dir/$tool"
    step "$tool: built in $((SECONDS - started))s"
  done
}

# The nodes start from upstream's sampleconfig (core.yaml, orderer.yaml) and override it per node with
# environment variables, so keep the copy that matches the pinned binaries next to them.
cache_sampleconfig() {
  [[ -f "$FABRIC_CONFIG/core.yaml" && -f "$FABRIC_CONFIG/orderer.yaml" ]] && return
  local src
  src="$(go env GOMODCACHE)/github.com/hyperledger/fabric@$FABRIC_GO_VERSION/sampleconfig"
  [[ -f "$src/core.yaml" ]] || die "no sampleconfig at $src: run this script again to download the Fabric module"
  mkdir -p "$FABRIC_CONFIG"
  cp "$src/core.yaml" "$src/orderer.yaml" "$FABRIC_CONFIG/"
  chmod u+w "$FABRIC_CONFIG"/*.yaml
}

main() {
  check_go
  install_pinned "$FABRIC_BIN" github.com/hyperledger/fabric "$FABRIC_GO_VERSION" "${fabric_tools[@]}"
  cache_sampleconfig
  install_pinned "$FABRIC_CA_BIN" github.com/hyperledger/fabric-ca "$FABRIC_CA_VERSION" "${fabric_ca_tools[@]}"
  step "Fabric binaries ready: $FABRIC_BIN $FABRIC_CA_BIN"
}

main "$@"
