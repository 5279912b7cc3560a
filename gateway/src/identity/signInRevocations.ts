import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { z } from 'zod';

import type { SignInRevocations } from './oidcAuthenticator';

const StoreFile = z.strictObject({ version: z.literal(1), revoked: z.record(z.string(), z.strictObject({ at: z.iso.datetime(), by: z.string() })) });

/**
 * JWT access tokens cannot be recalled from the provider's side; a department admin revokes a user's sign-ins here:
 * every access token issued until now is refused, and the user signs in again (or the provider refuses them).
 * Kept in a file (mode 0600) so a restart does not forget.
 */
export class FileSignInRevocations implements SignInRevocations {
  readonly #path: string | undefined;
  readonly #revoked = new Map<string, { at: string; by: string }>();
  readonly #now: () => number;
  #writing: Promise<unknown> = Promise.resolve();

  private constructor(path: string | undefined, now: () => number) {
    this.#path = path;
    this.#now = now;
  }

  static async open(path: string | undefined, now: () => number = Date.now): Promise<FileSignInRevocations> {
    const store = new FileSignInRevocations(path, now);
    if (path !== undefined) {
      let text: string | undefined;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      if (text !== undefined) {
        const parsed = StoreFile.safeParse(JSON.parse(text));
        if (!parsed.success) throw new Error(`Invalid sign-in revocations ${path}:\n${z.prettifyError(parsed.error)}`);
        for (const [user, entry] of Object.entries(parsed.data.revoked)) store.#revoked.set(user, entry);
      }
    }
    return store;
  }

  revokedAt(userId: string): number | undefined {
    const entry = this.#revoked.get(userId);
    return entry === undefined ? undefined : Date.parse(entry.at);
  }

  /** Refuses every access token of `userId` issued until now. */
  async revoke(userId: string, by: string): Promise<{ userId: string; revokedAt: string; revokedBy: string }> {
    const run = this.#writing.then(async () => {
      const entry = { at: new Date(this.#now()).toISOString(), by };
      const before = this.#revoked.get(userId);
      this.#revoked.set(userId, entry);
      try {
        await this.#persist();
      } catch (err) {
        if (before === undefined) this.#revoked.delete(userId);
        else this.#revoked.set(userId, before);
        throw err;
      }
      return { userId, revokedAt: entry.at, revokedBy: by };
    });
    this.#writing = run.catch(() => undefined);
    return await run;
  }

  async #persist(): Promise<void> {
    if (this.#path === undefined) return;
    await mkdir(dirname(this.#path), { recursive: true, mode: 0o700 });
    const temporary = `${this.#path}.${String(process.pid)}.tmp`;
    await rm(temporary, { force: true });
    const revoked = Object.fromEntries([...this.#revoked.entries()].sort(([a], [b]) => a.localeCompare(b)));
    await writeFile(temporary, `${JSON.stringify({ version: 1, revoked }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(temporary, 0o600);
    await rename(temporary, this.#path);
  }
}
