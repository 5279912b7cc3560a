import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { z } from 'zod';

import { UserConfigSchema, type Role, type UserConfig } from '../config';
import type { EnrolledCredentials } from './certificateAuthority';

/** The wallet already holds this user. */
export class WalletEntryExistsError extends Error {
  override readonly name = 'WalletEntryExistsError';
}

const WalletIndex = z.array(UserConfigSchema);

/**
 * Users enrolled at run time: `<dir>/users/<id>/{cert.pem,key.pem}` (directories 0700, files 0600) and the index
 * `<dir>/users.json` of {id, role, certPath, keyPath} (and tokenSha256 for users enrolled before API tokens moved to the token store), read at startup so the users survive a restart.
 */
export class FileWallet {
  readonly #dir: string;
  readonly #indexPath: string;
  #writing: Promise<unknown> = Promise.resolve();

  constructor(dir: string) {
    this.#dir = dir;
    this.#indexPath = join(dir, 'users.json');
  }

  /** Every user in the wallet; none when it does not exist yet. */
  async list(): Promise<UserConfig[]> {
    let text: string;
    try {
      text = await readFile(this.#indexPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const parsed = WalletIndex.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`Invalid wallet index ${this.#indexPath}:\n${z.prettifyError(parsed.error)}`);
    return parsed.data;
  }

  /** Stores a new user's credentials and records it in the index; WalletEntryExistsError if it is already there. */
  async add(user: { id: string; role: Role; tokenSha256?: string | undefined }, credentials: EnrolledCredentials): Promise<UserConfig> {
    const run = this.#writing.then(async () => await this.#add(user, credentials));
    this.#writing = run.catch(() => undefined);
    return await run;
  }

  async #add(user: { id: string; role: Role; tokenSha256?: string | undefined }, credentials: EnrolledCredentials): Promise<UserConfig> {
    const existing = await this.list();
    if (existing.some((entry) => entry.id === user.id)) throw new WalletEntryExistsError(`the wallet already holds '${user.id}'`);
    const usersDir = join(this.#dir, 'users');
    await mkdir(usersDir, { recursive: true, mode: 0o700 });
    await chmod(this.#dir, 0o700);
    await chmod(usersDir, 0o700);
    const userDir = join(usersDir, user.id);
    try {
      await mkdir(userDir, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new WalletEntryExistsError(`the wallet already holds '${user.id}'`);
      throw err;
    }
    const entry: UserConfig = {
      id: user.id,
      role: user.role,
      certPath: join(userDir, 'cert.pem'),
      keyPath: join(userDir, 'key.pem'),
      ...(user.tokenSha256 === undefined ? {} : { tokenSha256: user.tokenSha256 }),
    };
    await writePrivate(entry.certPath, credentials.certPem);
    await writePrivate(entry.keyPath, credentials.keyPem);
    const temporary = `${this.#indexPath}.${String(process.pid)}.tmp`;
    await rm(temporary, { force: true });
    await writePrivate(temporary, `${JSON.stringify([...existing, entry], null, 2)}\n`);
    await rename(temporary, this.#indexPath);
    return entry;
  }
}

async function writePrivate(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600);
}
