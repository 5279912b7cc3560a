# One Fabric CA per organisation, and enrolment of every identity from it. Sourced, never executed.
# shellcheck shell=bash

ca_name() { echo "ca-$1"; }
ca_url() { echo "https://$GOVSHARE_HOST:$(ca_port "$1")"; }
registrar_home() { echo "$(org_dir "$1")/registrar"; }
secrets_dir() { echo "$(org_dir "$1")/secrets"; }

# random_secret: enrolment secrets never leave the state directory.
random_secret() { openssl rand -hex 16; }

start_ca() {
  local org="$1" home port
  home="$(ca_home "$org")"
  port="$(ca_port "$org")"
  mkdir -p "$home"
  local bootstrap="$home/bootstrap-admin"
  if [[ ! -f "$bootstrap" ]]; then
    (umask 077 && echo "admin:$(random_secret)" >"$bootstrap")
  fi
  start_daemon "ca.$org" \
    FABRIC_CA_SERVER_HOME="$home" \
    FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS="$GOVSHARE_HOST:$(ca_ops_port "$org")" \
    -- fabric-ca-server start \
    -b "$(cat "$bootstrap")" \
    --address "$GOVSHARE_HOST" --port "$port" \
    --tls.enabled \
    --ca.name "$(ca_name "$org")" \
    --csr.cn "ca.$org.govshare.local" \
    --csr.hosts "localhost,$GOVSHARE_HOST,ca.$org.govshare.local"
}

wait_for_ca() {
  local org="$1"
  wait_for_port "ca.$org" "$(ca_port "$org")" 60
  for _ in $(seq 1 50); do [[ -s "$(ca_cert "$org")" ]] && return; sleep 0.2; done
  die "ca.$org has no CA certificate at $(ca_cert "$org")"
}

ca_client() { # ca_client <org> <args...>: fabric-ca-client against that org's CA over TLS
  local org="$1"; shift
  fabric-ca-client "$@" --caname "$(ca_name "$org")" --tls.certfiles "$(ca_cert "$org")"
}

enroll_registrar() {
  local org="$1" home
  home="$(registrar_home "$org")"
  [[ -f "$home/msp/signcerts/cert.pem" ]] && return
  local credentials
  credentials="$(cat "$(ca_home "$org")/bootstrap-admin")"
  ca_client "$org" enroll -u "https://$credentials@$GOVSHARE_HOST:$(ca_port "$org")" -H "$home" >/dev/null 2>&1 ||
    die "could not enroll the registrar of ca.$org"
}

# register_identity <org> <name> <type> [attrs]: idempotent; the secret is kept for re-enrolment.
register_identity() {
  local org="$1" name="$2" type="$3" attrs="${4:-}"
  local secret_file
  secret_file="$(secrets_dir "$org")/$name"
  [[ -f "$secret_file" ]] && return
  mkdir -p "$(secrets_dir "$org")"
  chmod 700 "$(secrets_dir "$org")"
  local secret args
  secret="$(random_secret)"
  args=(register -H "$(registrar_home "$org")" -u "$(ca_url "$org")"
    --id.name "$name" --id.secret "$secret" --id.type "$type" --id.maxenrollments -1)
  [[ -n "$attrs" ]] && args+=(--id.attrs "$attrs")
  ca_client "$org" "${args[@]}" >/dev/null 2>&1 || die "could not register $name with ca.$org"
  (umask 077 && echo "$secret" >"$secret_file")
}

enroll_url() {
  local org="$1" name="$2"
  echo "https://$name:$(cat "$(secrets_dir "$org")/$name")@$GOVSHARE_HOST:$(ca_port "$org")"
}

# enroll_msp <org> <name> <msp dir>: the enrolment certificate, with NodeOUs.
enroll_msp() {
  local org="$1" name="$2" msp="$3"
  [[ -f "$msp/signcerts/cert.pem" ]] && return
  local home; home="$(mktemp -d)"
  ca_client "$org" enroll -u "$(enroll_url "$org" "$name")" -H "$home" --mspdir "$msp" \
    --csr.hosts "localhost,$GOVSHARE_HOST" >/dev/null 2>&1 || die "could not enroll $name with ca.$org"
  rm -rf "$home"
  cp "$GOVSHARE_ROOT/network/msp-config.yaml" "$msp/config.yaml"
}

# enroll_tls <org> <name> <tls dir>: a TLS server/client certificate for loopback, as
# server.crt / server.key / ca.crt.
enroll_tls() {
  local org="$1" name="$2" dir="$3"
  [[ -f "$dir/server.crt" ]] && return
  local home; home="$(mktemp -d)"
  ca_client "$org" enroll -u "$(enroll_url "$org" "$name")" -H "$home" --mspdir "$home/tls" \
    --enrollment.profile tls --csr.hosts "localhost,$GOVSHARE_HOST" >/dev/null 2>&1 ||
    die "could not enroll a TLS certificate for $name with ca.$org"
  mkdir -p "$dir"
  cp "$home/tls/signcerts/cert.pem" "$dir/server.crt"
  cp "$home/tls/keystore/"*_sk "$dir/server.key"
  cp "$(ca_cert "$org")" "$dir/ca.crt"
  chmod 600 "$dir/server.key"
  rm -rf "$home"
}

# org_msp <org>: the MSP definition that goes into the channel configuration.
build_org_msp() {
  local org="$1" msp
  msp="$(org_dir "$org")/msp"
  mkdir -p "$msp/cacerts" "$msp/tlscacerts"
  cp "$(ca_cert "$org")" "$msp/cacerts/ca.pem"
  cp "$(ca_cert "$org")" "$msp/tlscacerts/ca.pem"
  cp "$GOVSHARE_ROOT/network/msp-config.yaml" "$msp/config.yaml"
}

# The demo users of a department: one per role, the role as an ecert attribute that the chaincode
# reads. The admin role is the org's admin identity itself (type admin), also used by peer-cli.sh.
readonly USER_ROLES=(officer approver auditor admin)

enroll_org_identities() {
  local org="$1"
  enroll_registrar "$org"
  build_org_msp "$org"
  register_identity "$org" "$org-admin" admin 'role=admin:ecert'
  enroll_msp "$org" "$org-admin" "$(admin_msp "$org")"
  enroll_tls "$org" "$org-admin" "$(admin_tls_dir "$org")"
  # The org's orderers: Raft's OrdererMSP runs orderer1..3; in BFT mode a department runs orderer0.<org>.
  local orderer
  for orderer in "${ORDERERS[@]}"; do
    [[ "$(orderer_org "$orderer")" == "$org" ]] || continue
    register_identity "$org" "$orderer" orderer
    enroll_msp "$org" "$orderer" "$(orderer_home "$orderer")/msp"
    enroll_tls "$org" "$orderer" "$(orderer_home "$orderer")/tls"
  done
  [[ "$org" == orderer ]] && return
  local peer role
  peer="$(peer_name "$org")"
  register_identity "$org" "$peer" peer
  enroll_msp "$org" "$peer" "$(org_dir "$org")/nodes/$peer/msp"
  enroll_tls "$org" "$peer" "$(org_dir "$org")/nodes/$peer/tls"
  # The gateway's own TLS identity: it serves and fetches dataset payloads to and from the other
  # departments' gateways over mutual TLS.
  register_identity "$org" "gateway.$org" client
  enroll_tls "$org" "gateway.$org" "$(org_dir "$org")/nodes/gateway.$org/tls"
  for role in "${USER_ROLES[@]}"; do
    [[ "$role" == admin ]] && continue
    register_identity "$org" "$org-$role" client "role=$role:ecert"
    enroll_msp "$org" "$org-$role" "$(user_msp "$org" "$org-$role")"
  done
}
