#!/usr/bin/env bash
# Fuzzes each running department gateway from its own /openapi.json with schemathesis (PyPI), with a
# bounded number of examples: no response may be a 5xx or break the documented schema, status
# codes or content types. Part of `npm test`; also runnable alone on a running network.
# The endless Server-Sent Events stream (/api/v1/events) is left out: a fuzzer can only read it until
# its request timeout; test/integration/gateway-api.test.ts covers it.
#   fuzz-api.sh [org...]        default: every department; FUZZ_MAX_EXAMPLES (default 10)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"

readonly SCHEMATHESIS_VERSION=4.32.5
venv="$GOVSHARE_CACHE/schemathesis-$SCHEMATHESIS_VERSION"
if [[ ! -x "$venv/bin/schemathesis" ]]; then
  step "installing schemathesis $SCHEMATHESIS_VERSION into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

orgs=("$@")
[[ ${#orgs[@]} -gt 0 ]] || orgs=("${PEER_ORGS[@]}")
failed=0
for org in "${orgs[@]}"; do
  url="http://$GOVSHARE_HOST:$(gateway_port "$org")"
  # The department's officer: every operation is reachable with its token.
  token="$(node -e 'process.stdout.write(require(process.argv[1])[process.argv[2]].tokens.officer)' \
    "$GOVSHARE_STATE/gateways.json" "$org")"
  step "fuzzing the $org gateway ($url/openapi.json)"
  if ! "$venv/bin/schemathesis" run "$url/openapi.json" --url "$url" \
    --header "Authorization: Bearer $token" \
    --max-examples "${FUZZ_MAX_EXAMPLES:-10}" \
    --checks not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance \
    --exclude-path /api/v1/events --request-timeout 30 --no-color >"$LOG_DIR/fuzz-$org.log" 2>&1; then
    failed=$((failed + 1))
    step "FAILED: schemathesis found problems in the $org gateway; see $LOG_DIR/fuzz-$org.log"
    tail -n 40 "$LOG_DIR/fuzz-$org.log" >&2
  else
    step "$org: $(grep -E 'generated' "$LOG_DIR/fuzz-$org.log" | tail -1 | sed 's/^ *//')"
  fi
done
exit "$failed"
