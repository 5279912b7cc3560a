# Every path and pin the scripts use, in one place. Sourced, never executed.
# shellcheck shell=bash

GOVSHARE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export GOVSHARE_ROOT

export FABRIC_VERSION=v3.1.5
export FABRIC_COMMIT=86c1172bec37e6590c6b1ae6f847833df48d65fc
# The module path has no /v3, so Go names the commit by a pseudo-version on the newest v0/v1 ancestor tag.
export FABRIC_GO_VERSION=v1.4.0-rc1.0.20260618074816-86c1172bec37
export FABRIC_CA_VERSION=v1.5.21

GOVSHARE_CACHE="${GOVSHARE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/govshare}"
export GOVSHARE_CACHE
export FABRIC_BIN="$GOVSHARE_CACHE/fabric-$FABRIC_COMMIT/bin"
export FABRIC_CA_BIN="$GOVSHARE_CACHE/fabric-ca-$FABRIC_CA_VERSION/bin"

# Everything generated at run time (crypto, ledgers, logs, pids, wallets) lives here, ignored by git.
GOVSHARE_STATE="${GOVSHARE_STATE:-$GOVSHARE_ROOT/.govshare}"
export GOVSHARE_STATE

step() { printf '[govshare %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[govshare] error: %s\n' "$*" >&2; exit 1; }
