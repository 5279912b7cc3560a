#!/usr/bin/env bash
# `npm run bench`: side-by-side benchmarks on the running network (start it with `npm start`).
# Deploys the single-putState baseline chaincode beside govshare (a no-op when already deployed),
# then runs bench/src/run.ts. Settings: BENCH_CONCURRENCY, BENCH_SECONDS, BENCH_ROUNDS, BENCH_RATE;
# block cutting: GOVSHARE_BATCH_TIMEOUT / GOVSHARE_MAX_MESSAGE_COUNT when the channel is created.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"

curl -fs --max-time 2 "http://$GOVSHARE_HOST:$(gateway_port education)/readyz" >/dev/null ||
  die "the education gateway is not ready: run 'npm start' first"
"$here/deploy-chaincode.sh" --name benchnoop --source "$GOVSHARE_ROOT/bench/noop-chaincode"
cd "$GOVSHARE_ROOT"
npx tsc -p bench/tsconfig.json
node bench/dist/bench/src/run.js
