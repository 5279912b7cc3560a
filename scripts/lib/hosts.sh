# The hosts mode (`network.sh up --hosts`): every organisation on its own host, a Linux network
# namespace that these functions create and remove. Sourced, never executed; needs env.sh.
# shellcheck shell=bash
#
# Layout (port base B, S = (B / 100) % 256, org index i: 0 for Raft's orderer org, 1.. for departments):
#   bridge    gs<B>br in this machine's namespace, address 10.231.S.1/24: the operator's end
#             (operator scripts that are not run on an org's host, and the tests, connect from it)
#   host      namespace gs<B>-<org>, with lo and gs<B>n<i> (10.231.S.(10+i)/24), the namespace end of
#             the veth pair whose other end, gs<B>v<i>, is a port of the bridge
#   names     <node>.govshare.test for every node, in /etc/netns/gs<B>-<org>/hosts, which `ip netns exec`
#             mounts over /etc/hosts for everything started on that host; $GOVSHARE_STATE/hosts is the same
#             table for clients that resolve by it (the tests)
# The bridge has no uplink and nothing forwards between it and any other interface, so no packet of
# the network can leave the machine. `hosts_down` removes all of it, whatever is left of a crashed run.

HOSTS_FILE="$GOVSHARE_STATE/hosts"
host_veth() { echo "${NETNS_PREFIX}v$(org_index "$1")"; }         # the bridge's end
host_interface() { echo "${NETNS_PREFIX}n$(org_index "$1")"; }    # the host's end, inside its namespace

# host_names <org>: the names of every node that org's host runs.
host_names() {
  local org="$1" orderer names
  names="$(node_host "ca.$org")"
  for orderer in "${ORDERERS[@]}"; do
    [[ "$(orderer_org "$orderer")" == "$org" ]] && names+=" $(node_host "$orderer")"
  done
  if [[ "$org" != orderer ]]; then
    names+=" $(node_host "$(peer_name "$org")") $(node_host "gateway.$org")"
  fi
  echo "$names"
}

# render_hosts_table: the one name table of the network, written in place into every host's hosts file
# (a bind mount keeps the inode it was made on, so running processes see a rewrite, not a replacement).
render_hosts_table() {
  local org table
  table="127.0.0.1 localhost"$'\n'"::1 localhost ip6-localhost ip6-loopback"$'\n'
  for org in "${CA_ORGS[@]}"; do table+="$(org_ip "$org") $(host_names "$org")"$'\n'; done
  printf '%s' "$table" >"$HOSTS_FILE"
  for org in "${CA_ORGS[@]}"; do
    mkdir -p "/etc/netns/$(org_netns "$org")"
    printf '%s' "$table" >"/etc/netns/$(org_netns "$org")/hosts"
  done
}

# The bridge records the state directory of the network it serves (its interface alias), so that a
# second network of the same port base (another state directory) never takes over or removes its hosts.
hosts_owner() { { ip -o link show "$HOSTS_BRIDGE" 2>/dev/null || true; } | sed -nE 's/.* alias (.*)$/\1/p'; }
hosts_check_owner() {
  local owner
  owner="$(hosts_owner)"
  if ip link show "$HOSTS_BRIDGE" >/dev/null 2>&1 && [[ "$owner" != "$GOVSHARE_STATE" ]]; then
    die "the hosts of port base $GOVSHARE_PORT_BASE ($HOSTS_BRIDGE) belong to the network at ${owner:-an unknown state directory}; stop it there (GOVSHARE_STATE=$owner scripts/network.sh down) or choose another GOVSHARE_PORT_BASE"
  fi
}

# hosts_check_free: refuses to build on a subnet or names that something else already uses.
hosts_check_free() {
  [[ "$(id -u)" -eq 0 ]] || die "the hosts mode creates network namespaces and links: run it as root"
  command -v ip >/dev/null || die "the hosts mode needs iproute2 (ip)"
  hosts_check_owner
  # Any address or route inside the subnet (equal or more specific) belongs to someone else.
  if ! ip link show "$HOSTS_BRIDGE" >/dev/null 2>&1 &&
    [[ -n "$(ip -4 -o addr show to "$HOSTS_SUBNET.0/24")$(ip -4 route show table all to root "$HOSTS_SUBNET.0/24")" ]]; then
    die "$HOSTS_SUBNET.0/24 is already in use on this machine; choose another GOVSHARE_PORT_BASE (the subnet derives from it)"
  fi
}

# hosts_up: the bridge, one namespace per org with its address, and the name table. Idempotent.
hosts_up() {
  local org ns veth inner
  hosts_check_free
  if ! ip link show "$HOSTS_BRIDGE" >/dev/null 2>&1; then
    ip link add "$HOSTS_BRIDGE" type bridge
    ip link set "$HOSTS_BRIDGE" alias "$GOVSHARE_STATE"
    ip addr add "$HOSTS_OPERATOR_IP/24" dev "$HOSTS_BRIDGE"
  fi
  ip link set "$HOSTS_BRIDGE" up
  for org in "${CA_ORGS[@]}"; do
    ns="$(org_netns "$org")"
    veth="$(host_veth "$org")"
    inner="$(host_interface "$org")"
    [[ -e "/run/netns/$ns" ]] || ip netns add "$ns"
    if ! ip link show "$veth" >/dev/null 2>&1; then
      ip link add "$veth" type veth peer name "$inner" netns "$ns"
      ip link set "$veth" master "$HOSTS_BRIDGE"
    fi
    ip link set "$veth" up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr replace "$(org_ip "$org")/24" dev "$inner"
    ip -n "$ns" link set "$inner" up
  done
  render_hosts_table
  step "hosts: ${#CA_ORGS[@]} namespaces on $HOSTS_BRIDGE ($HOSTS_SUBNET.0/24): $(for org in "${CA_ORGS[@]}"; do printf '%s=%s ' "$(org_netns "$org")" "$(org_ip "$org")"; done)"
}

# hosts_owned_namespaces: every namespace of this port base, also of orgs no longer listed.
hosts_owned_namespaces() {
  ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$NETNS_PREFIX-[a-z][a-z0-9-]*$" || true
}

# hosts_down: removes every namespace, link, bridge and hosts file of this port base. Processes must
# be stopped first (a namespace with a process in it lives on until that process ends).
hosts_down() {
  local ns link pids
  hosts_check_owner
  for ns in $(hosts_owned_namespaces); do
    # Deleting the name of a namespace that a process still uses would leave it running, unreachable.
    # Only govshare's scripts start processes on these hosts, so one still there is a daemon whose
    # pid file is gone (a crashed run): stop it by its pid.
    pids="$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')"
    if [[ -n "${pids// /}" ]]; then
      step "stopping processes still on the host $ns: $pids"
      # shellcheck disable=SC2086 # a list of pids
      kill -TERM $pids 2>/dev/null || true
      for _ in $(seq 1 25); do [[ -z "$(ip netns pids "$ns" 2>/dev/null)" ]] && break; sleep 0.2; done
      pids="$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')"
      # shellcheck disable=SC2086
      [[ -z "${pids// /}" ]] || kill -KILL $pids 2>/dev/null || true
    fi
    ip netns delete "$ns"
    rm -rf "/etc/netns/$ns"
  done
  # Deleting a namespace deletes the veth ends inside it, and with them their peers; this catches any
  # left by a run that crashed between creating a pair and moving one end.
  for link in $(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E "^${NETNS_PREFIX}(v[0-9]+|n[0-9]+|br)$" || true); do
    ip link delete "$link" 2>/dev/null || true
  done
  rmdir /etc/netns 2>/dev/null || true
  rm -f "$HOSTS_FILE"
}

# host_link <org> down|up: cuts (or restores) that org's host from the network, as a pulled cable
# would: its own nodes still reach each other, nobody else reaches them.
host_link() {
  local org="$1" state="$2"
  ip link set "$(host_veth "$org")" "$state"
}
