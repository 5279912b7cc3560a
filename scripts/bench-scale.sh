#!/usr/bin/env bash
# `npm run bench:scale`: P4, list and read latency with 1k, 10k, 100k datasets seeded, on the running
# network (start it with `npm start`). Seeds `scale-NNNNNN` datasets (resumable; a separate owner/theme
# spread from every other benchmark), then measures at each scale: bench/src/scale.ts. Settings:
# BENCH_SCALES (1000,10000,100000), BENCH_SEED_CONCURRENCY (64), BENCH_SEED_BUDGET_MINUTES (60),
# BENCH_SCALE_CONCURRENCY (4), BENCH_SCALE_SECONDS (8), BENCH_SCALE_ROUNDS (2).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"
# shellcheck source=scripts/lib/node-deps.sh
source "$here/lib/node-deps.sh"
ensure_node_deps

curl -fs --max-time 2 "http://$GOVSHARE_HOST:$(gateway_port education)/readyz" >/dev/null ||
  die "the education gateway is not ready: run 'npm start' first"
cd "$GOVSHARE_ROOT"
npx tsc -p bench/tsconfig.json
node bench/dist/bench/src/scale.js
