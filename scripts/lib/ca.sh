# One Fabric CA per organisation, and enrolment of every identity from it. Sourced, never executed.
# shellcheck shell=bash

ca_name() { echo "ca-$1"; }
ca_url() { echo "https://$(node_host "ca.$1"):$(ca_port "$1")"; }
# The CA's bootstrap registrar: only these scripts hold it (it registers nodes, admins and gateways).
registrar_home() { echo "$(org_dir "$1")/registrar"; }
# The registrar a department's gateway holds for POST /admin/users: it may register client identities
# with a `role` attribute and nothing else (no peer, admin or orderer type, no govshare.role, no revocation).
user_registrar_home() { echo "$(org_dir "$1")/user-registrar"; }
user_registrar_name() { echo "$1-user-registrar"; }
# The ecert attribute that marks an org's gateway identity. Only the bootstrap registrar (these scripts)
# can register it: the user registrar's hf.Registrar.Attributes names `role` alone.
readonly GATEWAY_ATTRIBUTE='govshare.role=gateway'
gateway_identity() { echo "gateway.$1"; }
gateway_dir() { echo "$(org_dir "$1")/nodes/gateway.$1"; }
secrets_dir() { echo "$(org_dir "$1")/secrets"; }

# random_secret: enrolment secrets never leave the state directory.
random_secret() { openssl rand -hex 16; }

start_ca() {
  local org="$1" home port
  home="$(ca_home "$org")"
  port="$(ca_port "$org")"
  mkdir -p "$home"
  # The CA's home holds its signing key, its database and the config file that records the bootstrap
  # identity: nobody else reads it.
  chmod 700 "$home"
  local bootstrap="$home/bootstrap-admin"
  if [[ ! -f "$bootstrap" ]]; then
    (umask 077 && echo "admin:$(random_secret)" >"$bootstrap")
  fi
  # The bootstrap user:secret reaches the server in its environment (fabric-ca-server reads
  # FABRIC_CA_SERVER_BOOT like -b), never on a command line that `ps` shows. Exported in a subshell,
  # not passed to start_daemon as VAR=value: that would be an argument of `env`.
  (
    FABRIC_CA_SERVER_BOOT="$(cat "$bootstrap")"
    export FABRIC_CA_SERVER_BOOT
    start_daemon "ca.$org" \
    FABRIC_CA_SERVER_HOME="$home" \
    FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS="$(org_ip "$org"):$(ca_ops_port "$org")" \
    -- fabric-ca-server start \
    --address "$(org_ip "$org")" --port "$port" \
    --tls.enabled \
    --ca.name "$(ca_name "$org")" \
    --csr.cn "ca.$org.govshare.local" \
    --csr.hosts "$(csr_hosts "$org" "ca.$org"),ca.$org.govshare.local"
  )
}

wait_for_ca() {
  local org="$1"
  wait_for_port "ca.$org" "$(ca_port "$org")" 60
  for _ in $(seq 1 50); do [[ -s "$(ca_cert "$org")" ]] && return; sleep 0.2; done
  die "ca.$org has no CA certificate at $(ca_cert "$org")"
}

ca_client() { # ca_client <org> <args...>: fabric-ca-client against that org's CA over TLS, on the org's host
  local org="$1"; shift
  on_org_host "$org" fabric-ca-client "$@" --caname "$(ca_name "$org")" --tls.certfiles "$(ca_cert "$org")"
}

# csr_hosts <org> <identity>: the SANs of a certificate: loopback always (each host has its own), and in
# hosts mode a node's host name and its host's address, which the other orgs dial and check.
csr_hosts() {
  local org="$1" name="$2" hosts="localhost,$GOVSHARE_HOST"
  if hosts_mode; then
    case "$name" in
      ca.* | peer0.* | orderer[0-9]* | gateway.*) hosts+=",$(node_host "$name"),$(org_ip "$org")" ;;
    esac
  fi
  echo "$hosts"
}

# Secrets never go on a fabric-ca-client command line: the client reads every flag from its
# environment too (FABRIC_CA_CLIENT_URL for -u, FABRIC_CA_CLIENT_ID_SECRET for --id.secret), and a
# variable set for one command by bash is no argument of any process.

# ca_enroll <org> <enrolment url with user:secret> <args...>
ca_enroll() {
  local org="$1" url="$2"; shift 2
  FABRIC_CA_CLIENT_URL="$url" ca_client "$org" enroll "$@"
}

enroll_registrar() {
  local org="$1" home
  home="$(registrar_home "$org")"
  [[ -f "$home/msp/signcerts/cert.pem" ]] && return
  local credentials
  credentials="$(cat "$(ca_home "$org")/bootstrap-admin")"
  ca_enroll "$org" "https://$credentials@$(node_host "ca.$org"):$(ca_port "$org")" -H "$home" >/dev/null 2>&1 ||
    die "could not enroll the registrar of ca.$org"
  chmod -R go-rwx "$home"
}

# enroll_user_registrar <org>: the gateway's registrar (see user_registrar_home).
enroll_user_registrar() {
  local org="$1" home name
  home="$(user_registrar_home "$org")"
  name="$(user_registrar_name "$org")"
  register_identity "$org" "$name" client 'hf.Registrar.Roles=client,hf.Registrar.Attributes=role,hf.Revoker=false,hf.GenCRL=false'
  [[ -f "$home/msp/signcerts/cert.pem" ]] && return
  ca_enroll "$org" "$(enroll_url "$org" "$name")" -H "$home" >/dev/null 2>&1 ||
    die "could not enroll the user registrar of ca.$org"
  chmod -R go-rwx "$home"
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
    --id.name "$name" --id.type "$type" --id.maxenrollments -1)
  [[ -n "$attrs" ]] && args+=(--id.attrs "$attrs")
  FABRIC_CA_CLIENT_ID_SECRET="$secret" ca_client "$org" "${args[@]}" >/dev/null 2>&1 ||
    die "could not register $name with ca.$org"
  (umask 077 && echo "$secret" >"$secret_file")
}

enroll_url() {
  local org="$1" name="$2"
  echo "https://$name:$(cat "$(secrets_dir "$org")/$name")@$(node_host "ca.$org"):$(ca_port "$org")"
}

# enroll_msp <org> <name> <msp dir>: the enrolment certificate, with NodeOUs.
enroll_msp() {
  local org="$1" name="$2" msp="$3"
  [[ -f "$msp/signcerts/cert.pem" ]] && return
  local home; home="$(mktemp -d)"
  ca_enroll "$org" "$(enroll_url "$org" "$name")" -H "$home" --mspdir "$msp" \
    --csr.hosts "$(csr_hosts "$org" "$name")" >/dev/null 2>&1 || die "could not enroll $name with ca.$org"
  rm -rf "$home"
  cp "$GOVSHARE_ROOT/network/msp-config.yaml" "$msp/config.yaml"
  chmod -R go-rwx "$msp/keystore"
}

# enroll_tls <org> <name> <tls dir>: a TLS server/client certificate (SANs: csr_hosts), as
# server.crt / server.key / ca.crt.
enroll_tls() {
  local org="$1" name="$2" dir="$3"
  [[ -f "$dir/server.crt" ]] && return
  local home; home="$(mktemp -d)"
  ca_enroll "$org" "$(enroll_url "$org" "$name")" -H "$home" --mspdir "$home/tls" \
    --enrollment.profile tls --csr.hosts "$(csr_hosts "$org" "$name")" >/dev/null 2>&1 ||
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
# reads. All are client identities: the `admin` role is a department administrator's role in
# govshare, not the org's MSP admin (admin_msp), which only the operator scripts hold.
readonly USER_ROLES=(officer approver auditor admin)

enroll_org_identities() {
  local org="$1"
  enroll_registrar "$org"
  build_org_msp "$org"
  register_identity "$org" "$(admin_name "$org")" admin
  enroll_msp "$org" "$(admin_name "$org")" "$(admin_msp "$org")"
  enroll_tls "$org" "$(admin_name "$org")" "$(admin_tls_dir "$org")"
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
  # The gateway's own identity, marked by GATEWAY_ATTRIBUTE in both its certificates: the TLS one
  # serves and fetches dataset payloads to and from the other departments' gateways over mutual TLS
  # (the exchange accepts no other certificate), the enrolment one signs the delivery records.
  register_identity "$org" "$(gateway_identity "$org")" client "$GATEWAY_ATTRIBUTE:ecert"
  enroll_msp "$org" "$(gateway_identity "$org")" "$(gateway_dir "$org")/msp"
  enroll_tls "$org" "$(gateway_identity "$org")" "$(gateway_dir "$org")/tls"
  enroll_user_registrar "$org"
  for role in "${USER_ROLES[@]}"; do
    register_identity "$org" "$org-$role" client "role=$role:ecert"
    enroll_msp "$org" "$org-$role" "$(user_msp "$org" "$org-$role")"
  done
}
