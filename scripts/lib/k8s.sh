# shellcheck shell=bash
# The Kubernetes manifest tools, installed by the project like its other tools and cached beside
# the Fabric binaries:
# - kubeconform (a Kubernetes manifest validator; Go module proxy, pinned version, checked by the Go
#   checksum database), because it validates custom resources against the operator's own CRD
#   schemas as well as core resources;
# - kubernetes-validate (PyPI, pinned), for its bundled JSON schemas of the Kubernetes API, so no
#   schema is fetched at validation time, and PyYAML for reading the CRDs.
# The module proxy is named explicitly for this one install: CI switches it off (GOPROXY=off) to
# prove that Fabric itself builds from the pinned archives, and kubeconform is not part of Fabric.

readonly KUBECONFORM_VERSION=v0.8.0
readonly K8S_VALIDATE_VERSION=1.37.0
# The Kubernetes API version the manifests are checked against (a schema set of kubernetes-validate).
readonly K8S_API_VERSION=1.34.0
KUBECONFORM="$GOVSHARE_CACHE/kubeconform-$KUBECONFORM_VERSION/bin/kubeconform"
K8S_VENV="$GOVSHARE_CACHE/k8s-validate-$K8S_VALIDATE_VERSION"
K8S_PYTHON="$K8S_VENV/bin/python"

ensure_k8s_tools() {
  if [[ ! -x "$K8S_PYTHON" ]] || ! "$K8S_PYTHON" -c 'import kubernetes_validate, yaml' 2>/dev/null; then
    step "installing kubernetes-validate $K8S_VALIDATE_VERSION (PyPI) into $K8S_VENV"
    rm -rf "$K8S_VENV"
    python3 -m venv "$K8S_VENV"
    "$K8S_VENV/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$K8S_VALIDATE_VERSION"
  fi
  if [[ ! -x "$KUBECONFORM" ]]; then
    step "installing kubeconform $KUBECONFORM_VERSION (Go module proxy) into $(dirname "$KUBECONFORM")"
    GOBIN="$(dirname "$KUBECONFORM")" GOPROXY="${GOVSHARE_TOOLS_GOPROXY:-https://proxy.golang.org}" \
      GOFLAGS=-mod=mod GOTOOLCHAIN=local go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
  fi
}

# k8s_schema_dir: where kubernetes-validate keeps the strict schemas of K8S_API_VERSION.
k8s_schema_dir() {
  "$K8S_PYTHON" -c 'import kubernetes_validate, os, sys; print(os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema", "v" + sys.argv[1] + "-local-strict"))' "$K8S_API_VERSION"
}

# ensure_k8s_core_schemas: prints the directory of standalone Kubernetes API schemas, made once per
# pinned version (a staging directory renamed into place, so a half-written set never counts).
ensure_k8s_core_schemas() {
  local target="$GOVSHARE_CACHE/k8s-schemas-$K8S_VALIDATE_VERSION-v$K8S_API_VERSION" staging
  if [[ ! -d "$target" ]]; then
    staging="$(mktemp -d "$GOVSHARE_CACHE/.k8s-schemas.XXXXXX")"
    "$K8S_PYTHON" "$GOVSHARE_ROOT/scripts/lib/k8s.py" core-schemas "$(k8s_schema_dir)" "$staging"
    mv -T "$staging" "$target" 2>/dev/null || rm -rf "$staging"
  fi
  echo "$target"
}
