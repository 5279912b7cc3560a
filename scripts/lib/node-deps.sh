# Installs the npm workspaces' dependencies when the lockfile changed since the last install.
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
