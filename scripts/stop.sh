#!/usr/bin/env bash
# `npm stop`: stops the gateways and every network process that govshare started. State is kept;
# `scripts/network.sh clean` deletes it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/gateways.sh" stop
"$here/network.sh" down
