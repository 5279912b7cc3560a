#!/usr/bin/env bash
# validate-k8s.sh [rendered dir]
#
# Validates govshare's Kubernetes manifests (deploy/kubernetes/<org>/) with kubeconform in strict
# mode: the operator's custom resources (FabricCA, FabricPeer, FabricOrdererNode) against the CRD
# schemas of the pinned hlf-operator release (deploy/kubernetes/crds/, checked by their SHA-256),
# and core resources (Deployment, Service, NetworkPolicy, …) against the Kubernetes API's own schemas.
# Unknown fields, wrong types and missing required fields are errors.
#
# Without an argument every department directory is rendered first with throwaway secrets (the real
# ones are the operator's), so what is validated is exactly what `kubectl apply -k` would get.
# With an argument, that already rendered directory is validated as it is.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/env.sh
source "$here/lib/env.sh"
# shellcheck source=scripts/lib/k8s.sh
source "$here/lib/k8s.sh"

deploy="$GOVSHARE_ROOT/deploy/kubernetes"
# The vendored CRDs, pinned like the Fabric archives: an edited copy would validate against a
# schema the operator does not have.
readonly K8S_CRD_SHA256="7bff52579c9fb6f4347862857d3bb5c0967b4a428832b36e24e31186e02ebdbd  hlf.kungfusoftware.es_fabriccas.yaml
a13592aafc54f8b45861822db6786c89a403027e97d7d18a8126ab1ef1b61829  hlf.kungfusoftware.es_fabricorderernodes.yaml
0298e255cb1ba0e5564a468c269f5d13078e99ccd5905e7300bc38b903947c4b  hlf.kungfusoftware.es_fabricpeers.yaml"
(cd "$deploy/crds" && sha256sum --quiet --check <<<"$K8S_CRD_SHA256") ||
  die "deploy/kubernetes/crds/ differs from the pinned hlf-operator CRDs (see its PROVENANCE.md)"

ensure_k8s_tools
work="$(mktemp -d "${TMPDIR:-/tmp}/govshare-k8s.XXXXXX")"
trap 'rm -rf "$work"' EXIT
"$K8S_PYTHON" "$here/lib/k8s.py" crd-schemas "$deploy/crds" "$work/schemas/crd"
core_schemas="$(ensure_k8s_core_schemas)"

targets=()
if [[ $# -ge 1 ]]; then
  targets=("$@")
else
  for dir in "$deploy"/*/; do
    org="$(basename "$dir")"
    [[ -f "$dir/values.env" ]] || continue
    # Throwaway secrets of the right shape, in an owner-only file as the renderer demands.
    secrets="$work/$org.secrets.env"
    install -m 600 /dev/null "$secrets"
    # shellcheck disable=SC2016 # the literal ${SECRET_…} placeholders are what is searched for
    grep -oh '\${SECRET_[A-Z0-9_]*}' "$dir"/*.yaml | sort -u | tr -d '${}' |
      while read -r name; do echo "$name=$(openssl rand -hex 16)"; done >>"$secrets"
    deployment="$work/$org.deployment.env"
    echo "CHAINCODE_PACKAGE_ID=govshare_0.1.0:$(openssl rand -hex 32)" >"$deployment"
    "$K8S_PYTHON" "$here/lib/k8s.py" render "$dir" "$work/rendered/$org" "$dir/values.env" "$deployment" "$secrets"
    targets+=("$work/rendered/$org")
  done
  [[ ${#targets[@]} -gt 0 ]] || die "no department manifests under $deploy"
fi

step "kubeconform $KUBECONFORM_VERSION (strict), Kubernetes $K8S_API_VERSION schemas + hlf-operator CRDs: ${targets[*]}"
"$KUBECONFORM" -strict -summary -output text \
  -schema-location "$core_schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
  -schema-location "$work/schemas/crd/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
  -skip Kustomization "${targets[@]}"
