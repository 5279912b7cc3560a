#!/usr/bin/env bash
# render-k8s.sh <org> <secrets file> <out dir> [extra values file...]
#
# Fills the ${NAME} placeholders of deploy/kubernetes/<org>/ from its values.env (public settings),
# the extra values files (deployment-time settings such as CHAINCODE_PACKAGE_ID) and the operator's
# secrets file (SECRET_* names: CA registrar passwords and enrolment secrets; mode 0600, never in
# git). Refuses to write anything with a placeholder left open. The output holds secrets, so it is
# written owner-only; apply it with `kubectl apply -k <out dir>`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"
# shellcheck source=scripts/lib/k8s.sh
source "$here/lib/k8s.sh"

[[ $# -ge 3 ]] || die "usage: render-k8s.sh <org> <secrets file> <out dir> [extra values file...]"
org="$1" secrets="$2" out="$3"
shift 3
manifests="$GOVSHARE_ROOT/deploy/kubernetes/$org"
[[ -f "$manifests/values.env" ]] || die "no Kubernetes manifests for '$org' (expected $manifests/values.env)"
[[ -f "$secrets" ]] || die "secrets file $secrets does not exist"
ensure_k8s_tools
"$K8S_PYTHON" "$here/lib/k8s.py" render "$manifests" "$out" "$manifests/values.env" "$@" "$secrets"
step "rendered $org's manifests into $out (owner-only: they carry the secrets)"
