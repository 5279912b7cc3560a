#!/usr/bin/env bash
# `npm start`: from a fresh clone to a running govshare — npm dependencies, Fabric binaries (built
# once, then cached), the network, the chaincode and one REST gateway per department. Re-running
# it is harmless: every step skips what is already done.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"
# shellcheck source=scripts/lib/node-deps.sh
source "$here/lib/node-deps.sh"

started=$SECONDS
ensure_node_deps
"$here/install-fabric.sh"
"$here/network.sh" up
"$here/deploy-chaincode.sh"
"$here/gateways.sh" start

org_index education >/dev/null
cat <<MSG

govshare is running ($((SECONDS - started))s). Department gateways:
$(for org in "${PEER_ORGS[@]}"; do printf '  %-10s %s\n' "$org" "$(gateway_url "$org")"; done)
Bearer tokens per role: $GOVSHARE_STATE/gateways.json (mode 0600)
Status: scripts/network.sh status; scripts/gateways.sh status    Logs: scripts/network.sh logs [node]
Stop:   npm stop
MSG
