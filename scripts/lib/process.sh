# Starting and stopping the network's daemons. Sourced, never executed.
# shellcheck shell=bash
#
# Each daemon runs in its own session (setsid) so that stopping its process group also stops the
# children it spawned (a peer's chaincode processes), and nothing else. Its pid file records the
# process-group leader and the command it ran, so that `down` never signals a recycled pid.

pid_file() { echo "$PID_DIR/$1.pid"; }
log_file() { echo "$LOG_DIR/$1.log"; }

# is_running <name>: the recorded process exists and is still the program we started.
is_running() {
  local file pid expected
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 1
  read -r pid expected <"$file" || return 1
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" == *"$expected"* ]]
}

running_pid() { awk '{print $1}' "$(pid_file "$1")"; }

# start_daemon <name> [VAR=value ...] -- <command...>: runs the command in the background, with the
# caller's environment plus the given variables.
start_daemon() {
  local name="$1"; shift
  local vars=()
  while [[ "$1" != -- ]]; do vars+=("$1"); shift; done
  shift
  if is_running "$name"; then
    step "$name already running (pid $(running_pid "$name"))"
    return
  fi
  mkdir -p "$PID_DIR" "$LOG_DIR"
  # The output goes through a size-based log rotator (GOVSHARE_LOG_MAX_BYTES per file, default 50 MB;
  # GOVSHARE_LOG_KEEP older files, default 5), started by the process substitution before `setsid`
  # execs: the daemon itself stays the recorded pid and the leader of its own process group, and the
  # rotator, outside that group, writes its last lines after a stop and ends at end of input. Its own
  # output goes nowhere, so it holds no caller's pipe open.
  # In hosts mode the daemon starts on its org's host: `ip netns exec` enters the namespace and execs
  # (no fork), so the recorded pid is still the daemon's, and its children (chaincode) stay there too.
  local on_host=()
  if hosts_mode; then on_host=(ip netns exec "$(org_netns "$(node_org "$name")")"); fi
  setsid "${on_host[@]}" env "${vars[@]}" "$@" \
    > >(exec python3 "$GOVSHARE_ROOT/scripts/lib/rotate-log.py" "$(log_file "$name")" \
      "${GOVSHARE_LOG_MAX_BYTES:-52428800}" "${GOVSHARE_LOG_KEEP:-5}" >/dev/null 2>&1) 2>&1 </dev/null &
  echo "$! $(basename "$1")" >"$(pid_file "$name")"
}

# group_alive <pgid>: some process of the group still runs. Exited processes whose parent has not
# reaped them yet (zombies, state Z) do not count: they hold no port, file or memory.
group_alive() {
  # pgrep cannot select by process state, hence ps.
  # shellcheck disable=SC2009
  ps -o stat= -g "$1" 2>/dev/null | grep -qv '^Z'
}

# stop_daemon <name>: TERM the process group, then KILL what is left after a grace period.
stop_daemon() {
  local name="$1" pid i
  if ! is_running "$name"; then
    rm -f "$(pid_file "$name")"
    return
  fi
  pid="$(running_pid "$name")"
  kill -TERM -- "-$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    group_alive "$pid" || break
    sleep 0.2
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$(pid_file "$name")"
  step "stopped $name (pid $pid)"
}

# wait_for_port <name> <port> [seconds]: a daemon is up once it accepts TCP connections (in hosts
# mode on its host's address, which this machine reaches over the bridge).
wait_for_port() {
  local name="$1" port="$2" seconds="${3:-60}" i address
  address="$(org_ip "$(node_org "$name")")"
  for ((i = 0; i < seconds * 5; i++)); do
    if (exec 3<>"/dev/tcp/$address/$port") 2>/dev/null; then return 0; fi
    # While the daemon execs (setsid → env → the program) its /proc cmdline can read empty for an
    # instant, so a failed is_running alone does not mean it exited: its process group must be gone too.
    is_running "$name" || group_alive "$(running_pid "$name")" || die "$name exited during start-up; last log lines:
$(tail -n 20 "$(log_file "$name")" 2>/dev/null)"
    sleep 0.2
  done
  die "$name did not open port $port within ${seconds}s; see $(log_file "$name")"
}
