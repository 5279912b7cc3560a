/**
 * scripts/install-fabric.sh as a new machine meets it: an empty cache, no Go module proxy
 * (GOPROXY=off), and source archives that may be corrupt or missing. These runs never reach a
 * build, so they take seconds; the full offline build is what `.ci/run` does on every CI run.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync, openSync, readSync, readdirSync, rmSync, writeSync, closeSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const script = path.join(root, 'scripts/install-fabric.sh');
const pinnedArchive = 'fabric-3.1.5.tar.gz';

/** Where the pinned archives are on this machine, as the script itself finds them. */
function archiveDirectory(): string {
  const found = spawnSync('bash', ['-c', `source "${root}/scripts/lib/env.sh"; printf %s "$GOVSHARE_FABRIC_SOURCES"`], {
    encoding: 'utf8',
  });
  return found.stdout;
}

function install(env: Record<string, string>): { status: number | null; output: string } {
  const run = spawnSync('bash', [script], {
    encoding: 'utf8',
    env: { ...process.env, GOPROXY: 'off', GOFLAGS: '', ...env },
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'govshare-install-'));
});
afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('install-fabric.sh on a new machine', () => {
  it('refuses an archive with one flipped byte, names it, and caches nothing', () => {
    // The pinned archives are beside the project on every development and CI machine.
    const sources = archiveDirectory();
    expect(readdirSync(sources)).toContain(pinnedArchive);
    const corruptDir = path.join(scratch, 'sources');
    const cache = path.join(scratch, 'cache');
    mkdirSync(corruptDir);
    mkdirSync(cache);
    const corrupt = path.join(corruptDir, pinnedArchive);
    copyFileSync(path.join(sources, pinnedArchive), corrupt);
    const fd = openSync(corrupt, 'r+');
    const byte = Buffer.alloc(1);
    const offset = 1_000_000;
    readSync(fd, byte, 0, 1, offset);
    byte[0] = (byte[0] ?? 0) ^ 0x01;
    writeSync(fd, byte, 0, 1, offset);
    closeSync(fd);

    const result = install({ GOVSHARE_CACHE: cache, GOVSHARE_FABRIC_SOURCES: corruptDir });

    expect(result.status).not.toBe(0);
    expect(result.output).toContain(`checksum mismatch for ${corrupt}`);
    expect(result.output).toContain('b5c70d9b438587c7f069171c356d82f2dcd101014d2c6e9191cd4c1a17332c9b');
    // Nothing was built, staged or stamped: the cache holds no Fabric directory at all.
    const left = readdirSync(cache).filter((name) => name.includes('fabric'));
    expect(left).toEqual([]);
  });

  it('leaves nothing in the cache when a build fails half-way', () => {
    // A `go` that writes half a binary and fails, the way an interrupted or broken build ends; every
    // other go command is the real one.
    const fakeBin = path.join(scratch, 'bin');
    const cache = path.join(scratch, 'cache');
    mkdirSync(fakeBin);
    mkdirSync(cache);
    const realGo = spawnSync('bash', ['-c', 'command -v go'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(
      path.join(fakeBin, 'go'),
      `#!/usr/bin/env bash\nif [[ "$1" == build ]]; then\n  while [[ "$1" != -o ]]; do shift; done\n  head -c 4096 /dev/zero >"$2"\n  echo "interrupted" >&2; exit 2\nfi\nexec ${realGo} "$@"\n`,
      { mode: 0o755 },
    );

    const result = install({ GOVSHARE_CACHE: cache, PATH: `${fakeBin}:${process.env.PATH ?? ''}` });

    expect(result.status).not.toBe(0);
    expect(result.output).toContain('building peer from');
    expect(result.output).toContain('nothing was cached');
    expect(readdirSync(cache)).toEqual([]);
  });

  it('with no source at all, fails with one message that names the three sources and what to do', () => {
    const empty = path.join(scratch, 'no-archives');
    mkdirSync(empty);
    const result = install({ GOVSHARE_CACHE: path.join(scratch, 'cache'), GOVSHARE_FABRIC_SOURCES: empty });

    expect(result.status).not.toBe(0);
    expect(result.output).toContain('could not be installed from any of its three sources');
    expect(result.output).toMatch(/1\. the cache .*no complete install/);
    expect(result.output).toContain(`2. source archives: no ${pinnedArchive} in ${empty}`);
    expect(result.output).toContain('set GOVSHARE_FABRIC_SOURCES');
    expect(result.output).toMatch(/3\. the Go module proxy: off did not serve github\.com\/hyperledger\/fabric@/);
  });
});
