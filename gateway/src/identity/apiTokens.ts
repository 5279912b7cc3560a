import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { z } from 'zod';

import { ROLES, type Role } from '../config';
import type { AuthenticationFailure, TokenAuthenticator } from './tokenAuthenticator';
import type { AuthenticatedUser } from './user';

/**
 * API tokens of machine clients: each belongs to a user of this department, expires, and can be listed, rotated
 * and revoked by the department admin. Only the SHA-256 of a token is kept (the token is a 256-bit random secret,
 * so a hash that leaks cannot be turned back into it). Tokens the operator configured (config `users[].tokenSha256`)
 * appear here too, with the id `config.<user>.<hash prefix>`: the admin can revoke and rotate them like any other.
 */
export const TokenSource = z.enum(['config', 'issued']);

export const ApiTokenRecord = z.strictObject({
  id: z.string().min(1),
  userId: z.string().min(1),
  role: z.enum(ROLES),
  label: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  source: TokenSource,
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  /** Absent only for a configured token without tokenExpiresAt. */
  expiresAt: z.iso.datetime().optional(),
  revokedAt: z.iso.datetime().optional(),
  revokedBy: z.string().optional(),
  /** The token that replaced this one, when it was rotated. */
  rotatedTo: z.string().optional(),
});
export type ApiTokenRecord = z.infer<typeof ApiTokenRecord>;

const StoreFile = z.strictObject({ version: z.literal(1), tokens: z.array(ApiTokenRecord) });

export type TokenState = 'active' | 'expired' | 'revoked';

export interface TokenPolicy {
  /** Lifetime of a token issued without expiresInDays. */
  readonly defaultLifetimeDays: number;
  /** No token is issued for longer. */
  readonly maxLifetimeDays: number;
}

export const DEFAULT_TOKEN_POLICY: TokenPolicy = { defaultLifetimeDays: 90, maxLifetimeDays: 365 };

/** A user a token may be issued to: known to this gateway and able to sign (credentials loaded). */
export interface TokenOwner {
  readonly id: string;
  readonly role: Role;
}

export interface ConfiguredToken extends TokenOwner {
  readonly tokenSha256?: string | undefined;
  readonly tokenExpiresAt?: string | undefined;
}

export class TokenNotFoundError extends Error {
  override readonly name = 'TokenNotFoundError';
}
export class TokenOwnerUnknownError extends Error {
  override readonly name = 'TokenOwnerUnknownError';
}
export class TokenNotActiveError extends Error {
  override readonly name = 'TokenNotActiveError';
}

export interface IssuedToken {
  readonly record: ApiTokenRecord;
  /** The secret: shown once, never stored. */
  readonly token: string;
}

const DAY_MS = 86_400_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function tokenState(record: ApiTokenRecord, nowMs: number): TokenState {
  if (record.revokedAt !== undefined) return 'revoked';
  if (record.expiresAt !== undefined && Date.parse(record.expiresAt) <= nowMs) return 'expired';
  return 'active';
}

export interface ApiTokenStoreOptions {
  readonly mspId: string;
  /** The JSON file the records live in (mode 0600); undefined keeps them in memory (tests, no admin routes). */
  readonly path?: string | undefined;
  readonly policy?: TokenPolicy;
  readonly now?: () => number;
}

export class ApiTokenStore implements TokenAuthenticator {
  readonly #mspId: string;
  readonly #path: string | undefined;
  readonly #now: () => number;
  readonly policy: TokenPolicy;
  readonly #byId = new Map<string, ApiTokenRecord>();
  readonly #byHash = new Map<string, ApiTokenRecord>();
  readonly #owners = new Map<string, TokenOwner>();
  #writing: Promise<unknown> = Promise.resolve();

  private constructor(options: ApiTokenStoreOptions) {
    this.#mspId = options.mspId;
    this.#path = options.path;
    this.#now = options.now ?? Date.now;
    this.policy = options.policy ?? DEFAULT_TOKEN_POLICY;
  }

  /**
   * Reads the store and merges the configured tokens in: a configured token keeps the revocation recorded for it;
   * one no longer in the config is dropped (it authenticates nobody).
   */
  static async open(options: ApiTokenStoreOptions, configured: readonly ConfiguredToken[]): Promise<ApiTokenStore> {
    const store = new ApiTokenStore(options);
    const persisted = options.path === undefined ? [] : await readStore(options.path);
    const previous = new Map(persisted.map((record) => [record.id, record]));
    const created = new Date(store.#now()).toISOString();
    for (const user of configured) {
      store.#owners.set(user.id, { id: user.id, role: user.role });
      if (user.tokenSha256 === undefined) continue;
      const sha256 = user.tokenSha256.toLowerCase();
      const id = `config.${user.id}.${sha256.slice(0, 12)}`;
      const before = previous.get(id);
      store.#index({
        id,
        userId: user.id,
        role: user.role,
        label: 'configured by the operator',
        sha256,
        source: 'config',
        createdAt: before?.createdAt ?? created,
        createdBy: 'operator',
        ...(user.tokenExpiresAt === undefined ? {} : { expiresAt: new Date(user.tokenExpiresAt).toISOString() }),
        ...(before?.revokedAt === undefined ? {} : { revokedAt: before.revokedAt, revokedBy: before.revokedBy ?? 'admin' }),
        ...(before?.rotatedTo === undefined ? {} : { rotatedTo: before.rotatedTo }),
      });
    }
    for (const record of persisted) {
      if (record.source === 'issued') store.#index(record);
    }
    return store;
  }

  #index(record: ApiTokenRecord): void {
    const clash = this.#byHash.get(record.sha256);
    if (clash !== undefined && clash.id !== record.id) throw new Error(`tokens ${clash.id} and ${record.id} have the same hash`);
    this.#byId.set(record.id, record);
    this.#byHash.set(record.sha256, record);
  }

  /** The role of a user this gateway can sign for (configured, enrolled at run time, or signed in with OIDC). */
  roleOf(id: string): Role | undefined {
    return this.#owners.get(id)?.role;
  }

  /** A user that may hold tokens from now on (enrolled at run time, or signed in with OIDC). */
  addOwner(owner: TokenOwner): void {
    this.#owners.set(owner.id, owner);
  }

  authenticate(token: string): AuthenticatedUser | AuthenticationFailure | undefined {
    // A map lookup by the hash reveals nothing useful through timing: the hash of a guess is unrelated to any key.
    const record = this.#byHash.get(hashToken(token));
    if (record === undefined) return undefined;
    const state = tokenState(record, this.#now());
    if (state === 'revoked') return { failure: 'The bearer token has been revoked' };
    if (state === 'expired') return { failure: `The bearer token expired at ${record.expiresAt ?? ''}` };
    const owner = this.#owners.get(record.userId);
    if (owner === undefined) return { failure: 'The bearer token belongs to a user this gateway no longer knows' };
    return { id: owner.id, role: owner.role, mspId: this.#mspId };
  }

  list(filter: { userId?: string | undefined; state?: TokenState | undefined } = {}): (ApiTokenRecord & { state: TokenState })[] {
    const now = this.#now();
    return [...this.#byId.values()]
      .map((record) => ({ ...record, state: tokenState(record, now) }))
      .filter((record) => (filter.userId === undefined || record.userId === filter.userId) && (filter.state === undefined || record.state === filter.state))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  get(id: string): ApiTokenRecord & { state: TokenState } {
    const record = this.#record(id);
    return { ...record, state: tokenState(record, this.#now()) };
  }

  #record(id: string): ApiTokenRecord {
    const record = this.#byId.get(id);
    if (record === undefined) throw new TokenNotFoundError(`no token '${id}'`);
    return record;
  }

  async issue(request: { userId: string; label?: string | undefined; expiresInDays?: number | undefined; createdBy: string }): Promise<IssuedToken> {
    return await this.#serialised(() => {
      const issued = this.#newToken(request);
      this.#index(issued.record);
      return issued;
    });
  }

  /**
   * A new token for the same user and label; the old one stops working now, or after `overlapSeconds` so that a
   * client can switch over without a failed request.
   */
  async rotate(id: string, request: { expiresInDays?: number | undefined; overlapSeconds?: number | undefined; by: string }): Promise<IssuedToken> {
    return await this.#serialised(() => {
      const old = this.#record(id);
      const state = tokenState(old, this.#now());
      if (state !== 'active') throw new TokenNotActiveError(`token '${id}' is ${state}: issue a new one instead`);
      const issued = this.#newToken({ userId: old.userId, label: old.label, expiresInDays: request.expiresInDays, createdBy: request.by });
      const overlap = request.overlapSeconds ?? 0;
      const now = this.#now();
      const retired: ApiTokenRecord =
        overlap === 0
          ? { ...old, revokedAt: new Date(now).toISOString(), revokedBy: request.by, rotatedTo: issued.record.id }
          : {
              ...old,
              expiresAt: new Date(Math.min(now + overlap * 1000, old.expiresAt === undefined ? Infinity : Date.parse(old.expiresAt))).toISOString(),
              rotatedTo: issued.record.id,
            };
      this.#index(retired);
      this.#index(issued.record);
      return issued;
    });
  }

  /** Revokes a token for good; revoking a revoked token changes nothing. */
  async revoke(id: string, by: string): Promise<ApiTokenRecord & { state: TokenState }> {
    return await this.#serialised(() => {
      const record = this.#record(id);
      if (record.revokedAt === undefined) {
        this.#index({ ...record, revokedAt: new Date(this.#now()).toISOString(), revokedBy: by });
      }
      return this.get(id);
    });
  }

  #newToken(request: { userId: string; label?: string | undefined; expiresInDays?: number | undefined; createdBy: string }): IssuedToken {
    const owner = this.#owners.get(request.userId);
    if (owner === undefined) throw new TokenOwnerUnknownError(`no user '${request.userId}' in ${this.#mspId}`);
    const days = request.expiresInDays ?? this.policy.defaultLifetimeDays;
    if (!Number.isInteger(days) || days < 1 || days > this.policy.maxLifetimeDays) {
      throw new RangeError(`expiresInDays must be 1-${String(this.policy.maxLifetimeDays)}`);
    }
    const now = this.#now();
    const token = `gst_${randomBytes(32).toString('base64url')}`;
    return {
      token,
      record: {
        id: `tok_${randomUUID()}`,
        userId: owner.id,
        role: owner.role,
        label: request.label ?? '',
        sha256: hashToken(token),
        source: 'issued',
        createdAt: new Date(now).toISOString(),
        createdBy: request.createdBy,
        expiresAt: new Date(now + days * DAY_MS).toISOString(),
      },
    };
  }

  /** Changes one at a time, each written to disk before it answers: a revocation survives a crash right after. */
  async #serialised<T>(change: () => T): Promise<T> {
    const run = this.#writing.then(async () => {
      const before = new Map(this.#byId);
      const result = change();
      try {
        await this.#persist();
      } catch (err) {
        // Not on disk: not in effect either.
        this.#byId.clear();
        this.#byHash.clear();
        for (const record of before.values()) this.#index(record);
        throw err;
      }
      return result;
    });
    this.#writing = run.catch(() => undefined);
    return await run;
  }

  async #persist(): Promise<void> {
    if (this.#path === undefined) return;
    await mkdir(dirname(this.#path), { recursive: true, mode: 0o700 });
    const temporary = `${this.#path}.${String(process.pid)}.tmp`;
    await rm(temporary, { force: true });
    const tokens = [...this.#byId.values()].sort((a, b) => a.id.localeCompare(b.id));
    await writeFile(temporary, `${JSON.stringify({ version: 1, tokens }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(temporary, 0o600);
    await rename(temporary, this.#path);
  }
}

async function readStore(path: string): Promise<ApiTokenRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const parsed = StoreFile.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`Invalid API token store ${path}:\n${z.prettifyError(parsed.error)}`);
  return parsed.data.tokens;
}
