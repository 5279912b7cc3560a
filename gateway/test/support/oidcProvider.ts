/**
 * A real OpenID Connect provider for tests: panva's oidc-provider (the certified implementation), listening on
 * loopback, issuing JWT access tokens for the gateway's audience with the govshare claims. Users sign in through
 * its real authorization-code flow with PKCE (its development login form accepts any password), so the tests
 * exercise the same HTTP exchange a browser makes. Keys rotate by restarting it with another key set.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import Provider, { type Configuration, type JWK } from 'oidc-provider';

export interface TestAccount {
  readonly username: string;
  readonly role: string;
}

export interface TestOidcOptions {
  readonly audience: string;
  readonly accounts: readonly TestAccount[];
  /** Access token lifetime (default 300 s). */
  readonly accessTokenTtlSeconds?: number;
  /** Where the console client may be redirected to after sign-in (authorization code + PKCE). */
  readonly redirectUris?: readonly string[];
  readonly clientId?: string;
}

export interface SigningKey {
  readonly kid: string;
  readonly jwk: JWK;
}

export function newSigningKey(kid: string): SigningKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  return { kid, jwk: { ...jwk, kid, alg: 'ES256', use: 'sig' } };
}

/**
 * fetch, tried again when a pooled keep-alive connection turns out to be closed: rotateKeys restarts the
 * provider, and a connection to the old instance may still sit in the pool.
 */
async function fetchOnce(url: URL, init: RequestInit): Promise<Response> {
  // The pool may hold several connections to the old instance: each fails once, then is gone.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fetch(url, init);
    } catch (err) {
      // fetch's TypeError comes from Node's realm, not jest's: compared by name.
      if ((err as { name?: unknown }).name !== 'TypeError' || attempt === 5) throw err;
    }
  }
}

/** The provider's error page as one line of text. */
function textOf(html: string): string {
  return html.replace(/<style>[\s\S]*<\/style>/, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 400);
}

export const TEST_CLIENT_ID = 'govshare-console';
const DEFAULT_REDIRECT = 'http://127.0.0.1/console/';

export class TestOidcProvider {
  readonly #options: TestOidcOptions;
  #server: Server | undefined;
  #port = 0;
  #keys: readonly SigningKey[];

  private constructor(options: TestOidcOptions, keys: readonly SigningKey[]) {
    this.#options = options;
    this.#keys = keys;
  }

  /** Starts the provider on 127.0.0.1 (an ephemeral port unless `port` is given) signing with `keys[0]`. */
  static async start(options: TestOidcOptions, keys: readonly SigningKey[] = [newSigningKey('key-1')], port = 0): Promise<TestOidcProvider> {
    const provider = new TestOidcProvider(options, keys);
    provider.#port = port;
    await provider.#listen();
    return provider;
  }

  get issuer(): string {
    return `http://127.0.0.1:${String(this.#port)}`;
  }

  get clientId(): string {
    return this.#options.clientId ?? TEST_CLIENT_ID;
  }

  /** Restarts on the same issuer with another key set: the first key signs, the others stay published. */
  async rotateKeys(keys: readonly SigningKey[]): Promise<void> {
    await this.stop();
    this.#keys = keys;
    await this.#listen();
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => {
      server.close((err) => {
        if (err === undefined) resolve();
        else reject(err);
      });
    });
  }

  async #listen(): Promise<void> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => {
        resolve();
      });
    });
    this.#port = (server.address() as AddressInfo).port;
    const provider = new Provider(this.issuer, this.#configuration());
    // Plain HTTP on loopback: the provider must not insist on secure cookies behind no proxy.
    provider.proxy = false;
    const handle = provider.callback();
    server.on('request', (req, res) => {
      void handle(req, res);
    });
    this.#server = server;
  }

  #configuration(): Configuration {
    const { audience, accounts } = this.#options;
    const byUsername = new Map(accounts.map((account) => [account.username, account]));
    const claimsOf = (sub: string): Record<string, string> => {
      const account = byUsername.get(sub);
      return account === undefined ? {} : { preferred_username: account.username, govshare_role: account.role };
    };
    return {
      clients: [
        {
          client_id: this.clientId,
          token_endpoint_auth_method: 'none',
          redirect_uris: [...(this.#options.redirectUris ?? [DEFAULT_REDIRECT])],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          id_token_signed_response_alg: 'ES256',
        },
      ],
      jwks: { keys: this.#keys.map((key) => key.jwk) },
      cookies: { keys: [randomBytes(32).toString('hex')] },
      pkce: { required: () => true },
      claims: { openid: ['sub'], profile: ['preferred_username', 'govshare_role'] },
      findAccount: (_ctx, sub) =>
        byUsername.has(sub) ? { accountId: sub, claims: () => ({ sub, ...claimsOf(sub) }) } : undefined,
      // No consent screen: a department's provider grants its own gateway what it asks for.
      loadExistingGrant: async (ctx) => {
        const accountId = ctx.oidc.session?.accountId;
        const clientId = ctx.oidc.client?.clientId;
        if (accountId === undefined || clientId === undefined) return undefined;
        const grant = new ctx.oidc.provider.Grant({ clientId, accountId });
        grant.addOIDCScope('openid profile');
        grant.addResourceScope(audience, 'openid profile');
        await grant.save();
        return grant;
      },
      extraTokenClaims: (_ctx, token) => ('accountId' in token && typeof token.accountId === 'string' ? claimsOf(token.accountId) : {}),
      features: {
        devInteractions: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => audience,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            audience,
            scope: 'openid profile',
            accessTokenFormat: 'jwt',
            accessTokenTTL: this.#options.accessTokenTtlSeconds ?? 300,
            jwt: { sign: { alg: 'ES256' } },
          }),
        },
      },
      ttl: { AccessToken: this.#options.accessTokenTtlSeconds ?? 300 },
    };
  }

  /**
   * Signs `username` in through the authorization endpoint, the login form and the token endpoint, exactly as the
   * console does (authorization code with PKCE S256), and answers the JWT access token.
   */
  async signIn(username: string, redirectUri = this.#options.redirectUris?.[0] ?? DEFAULT_REDIRECT): Promise<string> {
    const cookies = new Map<string, string>();
    const remember = (response: Response): void => {
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const [name, ...value] = (pair ?? '').split('=');
        if (name !== undefined && name !== '') cookies.set(name.trim(), value.join('='));
      }
    };
    const cookieHeader = (): string => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const step = async (url: string, init: RequestInit = {}): Promise<string> => {
      const response = await fetchOnce(new URL(url, this.issuer), { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string> | undefined), cookie: cookieHeader() } });
      remember(response);
      const location = response.headers.get('location');
      if (location === null) throw new Error(`expected a redirect from ${url}, got ${String(response.status)}: ${textOf(await response.text())}`);
      return location;
    };

    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const authorize = new URL('/auth', this.issuer);
    authorize.search = new URLSearchParams({
      client_id: this.clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid profile',
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      resource: this.#options.audience,
    }).toString();

    let location = await step(authorize.toString());
    // The login prompt (devInteractions' form), then back to the authorization endpoint, until it redirects with a code.
    for (let hops = 0; !location.startsWith(redirectUri); hops += 1) {
      if (hops > 6) throw new Error(`sign-in did not finish: stuck at ${location}`);
      if (/\/interaction\/[^/]+$/.test(new URL(location, this.issuer).pathname)) {
        location = await step(location, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ prompt: 'login', login: username, password: 'any' }).toString(),
        });
      } else {
        location = await step(location);
      }
    }
    const callback = new URL(location);
    if (callback.searchParams.get('state') !== state) throw new Error('state mismatch');
    const code = callback.searchParams.get('code');
    if (code === null) throw new Error(`no code: ${callback.search}`);

    const token = await fetchOnce(new URL('/token', this.issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        client_id: this.clientId,
        code_verifier: verifier,
        resource: this.#options.audience,
      }).toString(),
    });
    const body = (await token.json()) as { access_token?: string; error?: string; error_description?: string };
    if (body.access_token === undefined) throw new Error(`token endpoint: ${body.error ?? ''} ${body.error_description ?? ''}`);
    return body.access_token;
  }
}
