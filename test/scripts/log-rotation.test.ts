/**
 * Daemon logs rotate by size (scripts/lib/process.sh start_daemon → scripts/lib/rotate-log.py), so a
 * long-running network cannot fill the disk, while the daemon stays the recorded pid and process-group
 * leader that `network.sh stop|kill` signal, and its last lines after a stop are kept.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const maxBytes = 20_000;
const keep = 2;
const lines = 5_000;

let state: string;
beforeAll(() => {
  state = mkdtempSync(path.join(tmpdir(), 'govshare-logs-'));
});
afterAll(() => {
  rmSync(state, { recursive: true, force: true });
});

/** Runs bash with the project's process helpers sourced against a scratch state directory. */
function withProcessHelpers(script: string): string {
  return execFileSync(
    'bash',
    ['-c', `set -euo pipefail; source "${root}/scripts/lib/env.sh"; source "${root}/scripts/lib/process.sh"; ${script}`],
    { encoding: 'utf8', env: { ...process.env, GOVSHARE_STATE: state, GOVSHARE_LOG_MAX_BYTES: String(maxBytes), GOVSHARE_LOG_KEEP: String(keep) } },
  );
}

function rotatorsOf(log: string): string {
  return spawnSync('pgrep', ['-f', `rotate-log.py ${log}`], { encoding: 'utf8' }).stdout.trim();
}

describe('start_daemon with log rotation', () => {
  const logs = (): string => path.join(state, 'logs');
  const log = (): string => path.join(logs(), 'chatty.log');

  it('keeps the daemon as the recorded process-group leader, rotates at line boundaries, and keeps its lines after a stop', () => {
    // The daemon writes numbered lines, then on TERM one last line, and exits.
    withProcessHelpers(
      `start_daemon chatty -- bash -c 'trap "echo stopped-cleanly; exit 0" TERM; for i in $(seq 1 ${String(lines)}); do echo "line $i of the chatty daemon"; done; echo ready; while :; do sleep 0.05; done'`,
    );
    const [pid, program] = readFileSync(path.join(state, 'pids', 'chatty.pid'), 'utf8').trim().split(' ');
    expect(program).toBe('bash');
    // Wait until the daemon has written everything (a condition, not a sleep).
    const deadline = Date.now() + 30_000;
    while (!(existsSync(log()) && readFileSync(log(), 'utf8').includes('ready')) && Date.now() < deadline) {
      spawnSync('sleep', ['0.05']);
    }
    // The recorded pid leads its own process group, and is the daemon itself, not the rotator.
    const stat = readFileSync(`/proc/${pid ?? ''}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    expect(fields[2]).toBe(pid);
    expect(readFileSync(`/proc/${pid ?? ''}/comm`, 'utf8').trim()).toBe('bash');
    withProcessHelpers('stop_daemon chatty >/dev/null 2>&1');
    const rotatorDeadline = Date.now() + 10_000;
    while (rotatorsOf(log()) !== '' && Date.now() < rotatorDeadline) spawnSync('sleep', ['0.05']);
    expect(rotatorsOf(log())).toBe('');

    const files = readdirSync(logs()).filter((name) => name.startsWith('chatty.log')).sort();
    expect(files).toEqual(['chatty.log', 'chatty.log.1', 'chatty.log.2']);
    for (const name of files) expect(statSync(path.join(logs(), name)).size).toBeLessThanOrEqual(maxBytes);
    // Oldest first, the kept files are one contiguous tail of the output, every line whole.
    const kept = [`chatty.log.2`, `chatty.log.1`, `chatty.log`].map((name) => readFileSync(path.join(logs(), name), 'utf8')).join('');
    const keptLines = kept.split('\n').filter((line) => line !== '');
    const numbered = keptLines.filter((line) => line.startsWith('line '));
    for (const line of numbered) expect(line).toMatch(/^line \d+ of the chatty daemon$/);
    const numbers = numbered.map((line) => Number(line.split(' ')[1]));
    expect(numbers.at(-1)).toBe(lines);
    expect(numbers).toEqual(numbers.map((_, index) => (numbers[0] ?? 0) + index));
    expect((numbers[0] ?? 0) > 1).toBe(true); // the oldest output was rotated away
    expect(keptLines.at(-1)).toBe('stopped-cleanly');
  });
});
