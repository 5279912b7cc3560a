/**
 * The department backup archive's encryption (scripts/lib/backup-crypt.js, used by backup.sh and restore.sh):
 * nothing readable in the archive, the same bytes back with the right key file, and no output at all with a
 * wrong key, a tampered or a truncated archive, or a key file others can read.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const crypt = path.resolve(__dirname, '../../scripts/lib/backup-crypt.js');
let dir: string;
const file = (name: string): string => path.join(dir, name);

function run(...args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [crypt, ...args], { encoding: 'utf8', env: { ...process.env, GOVSHARE_BACKUP_ORG: 'finance' } });
  return { status: result.status, stderr: result.stderr };
}

function keyFile(name: string, content = randomBytes(32).toString('base64')): string {
  writeFileSync(file(name), `${content}\n`, { mode: 0o600 });
  chmodSync(file(name), 0o600);
  return file(name);
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'govshare-crypt-'));
  writeFileSync(file('plain.tar'), Buffer.concat([Buffer.from('-----BEGIN PRIVATE KEY-----\nsecret token abc\n'), randomBytes(200_000)]));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('backup-crypt.js', () => {
  it('encrypts so that nothing of the content is readable, and decrypts it back with the same key file', () => {
    const key = keyFile('key');
    expect(run('encrypt', key, file('plain.tar'), file('archive')).status).toBe(0);
    const archive = readFileSync(file('archive'));
    expect(archive.subarray(0, 18).toString()).toBe('GOVSHARE-BACKUP-1\n');
    expect(archive.includes('PRIVATE KEY')).toBe(false);
    expect(archive.includes('secret token')).toBe(false);

    expect(run('decrypt', key, file('archive'), file('back.tar')).status).toBe(0);
    expect(readFileSync(file('back.tar')).equals(readFileSync(file('plain.tar')))).toBe(true);
  });

  it('refuses a wrong key, a tampered and a truncated archive, and leaves no output', () => {
    const key = keyFile('key');
    run('encrypt', key, file('plain.tar'), file('archive'));
    const archive = readFileSync(file('archive'));

    const wrong = run('decrypt', keyFile('other'), file('archive'), file('out-wrong'));
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/cannot decrypt/);

    const tampered = Buffer.from(archive);
    tampered[tampered.length - 1000] = (tampered[tampered.length - 1000] ?? 0) ^ 1;
    writeFileSync(file('tampered'), tampered);
    expect(run('decrypt', key, file('tampered'), file('out-tampered')).status).not.toBe(0);

    writeFileSync(file('truncated'), archive.subarray(0, archive.length - 100));
    expect(run('decrypt', key, file('truncated'), file('out-truncated')).status).not.toBe(0);

    for (const out of ['out-wrong', 'out-tampered', 'out-truncated']) {
      expect(existsSync(file(out))).toBe(false);
      expect(existsSync(file(`${out}.partial`))).toBe(false);
    }
  });

  it('refuses a key file that others can read, or one too short to be a key', () => {
    const open = keyFile('open');
    chmodSync(open, 0o644);
    expect(run('encrypt', open, file('plain.tar'), file('archive')).stderr).toMatch(/readable by others/);
    expect(run('encrypt', keyFile('short', 'abc'), file('plain.tar'), file('archive')).stderr).toMatch(/fewer than 16 bytes/);
    expect(existsSync(file('archive'))).toBe(false);
  });
});
