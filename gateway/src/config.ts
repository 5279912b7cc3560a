import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import { ROLES } from 'govshare-contract';
import { z } from 'zod';

export { ROLES };
export type { Role } from 'govshare-contract';

/** A department's short name (education, finance, …, or one added later with add-department.sh). */
export const Organisation = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'must be a department name such as education');
export type Organisation = z.infer<typeof Organisation>;

const absolutePath = z.string().min(1).refine(isAbsolute, { error: 'must be an absolute path' });

/** An IP address or a DNS host name to listen on (resolved by Node at listen time). */
const ListenHost = z
  .string()
  .refine((host) => isIP(host) !== 0 || /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(host), {
    error: 'must be an IP address or a host name',
  });

/** Reachable only from this machine: 127.0.0.0/8, ::1 or localhost. Anything else is a network address. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

const Port = z.number().int().min(1).max(65535);

/**
 * The TLS identity an HTTPS listener presents: the org's CA-issued TLS certificate (scripts/lib/ca.sh enrols one
 * for every gateway) or one the operator supplies from another CA. PEM files; `caPath` optionally adds the chain.
 */
export const ServerTlsConfigSchema = z.strictObject({
  certPath: absolutePath,
  keyPath: absolutePath,
  caPath: absolutePath.optional(),
});
export type ServerTlsConfig = z.infer<typeof ServerTlsConfigSchema>;

/** A listener: plain HTTP only on loopback, HTTPS (TLS 1.3) with `tls`. */
export const ListenConfigSchema = z.strictObject({
  host: ListenHost,
  port: Port,
  tls: ServerTlsConfigSchema.optional(),
});
export type ListenConfig = z.infer<typeof ListenConfigSchema>;

const fabricName = z.string().regex(/^[a-z][a-z0-9._-]{0,248}$/, 'must be a lower-case Fabric channel/chaincode name');

export const UserConfigSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 characters [A-Za-z0-9._-]'),
  role: z.enum(ROLES),
  certPath: absolutePath,
  keyPath: absolutePath,
  /** The hex SHA-256 of the user's API token (absent: the user holds none, e.g. one who signs in with OIDC). */
  tokenSha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be the hex SHA-256 of the bearer token')
    .transform((hex) => hex.toLowerCase())
    .optional(),
  /** When that token stops working (401); absent: until the admin revokes it. */
  tokenExpiresAt: z.iso.datetime({ offset: true }).optional(),
});

/** A browser origin: scheme, host and optional port, nothing else. */
const Origin = z.string().regex(/^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?$/, 'must be an origin such as https://app.example.gov');

export const RateLimitConfigSchema = z.strictObject({
  windowMs: z.number().int().min(1000).max(24 * 60 * 60 * 1000),
  max: z.number().int().min(1),
});
export type RateLimitConfig = z.infer<typeof RateLimitConfigSchema>;

/** API tokens issued, rotated and revoked by the department admin (/api/v1/admin/tokens). */
export const ApiTokensConfigSchema = z.strictObject({
  /** The token records (hashes only), mode 0600; revocations survive restarts here. */
  storePath: absolutePath,
  defaultLifetimeDays: z.number().int().min(1).max(3650).default(90),
  maxLifetimeDays: z.number().int().min(1).max(3650).default(365),
});
export type ApiTokensConfig = z.infer<typeof ApiTokensConfigSchema>;

const JWS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

/** An issuer or endpoint URL: HTTPS, or plain HTTP to a loopback host (a provider on the same machine). */
const ProviderUrl = z.url().refine((url) => {
  const parsed = new URL(url);
  return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname.replace(/^\[|\]$/g, '')));
}, { error: 'must be an https URL (plain http only to a loopback host)' });

/**
 * Sign-in through the department's OpenID Connect provider: JWT access tokens for `audience`, verified against the
 * provider's JWKS. `userClaim` names the govshare user (enrolled with the org's CA on first use), `roleClaim` its
 * role, through `roles` (claim value → role; default: the value is the role).
 */
export const OidcConfigSchema = z.strictObject({
  issuer: ProviderUrl,
  audience: z.string().min(1),
  /** Default: the provider's discovery document (`<issuer>/.well-known/openid-configuration`). */
  jwksUri: ProviderUrl.optional(),
  userClaim: z.string().min(1).default('preferred_username'),
  roleClaim: z.string().min(1).default('govshare_role'),
  roles: z.record(z.string(), z.enum(ROLES)).optional(),
  algorithms: z.array(z.enum(JWS_ALGORITHMS)).min(1).default(['RS256', 'PS256', 'ES256', 'EdDSA']),
  clockToleranceSeconds: z.number().int().min(0).max(300).default(30),
  /** A token with an unknown kid refetches the JWKS, at most once per cooldown (an attacker cannot make us hammer it). */
  jwksCooldownSeconds: z.number().min(0).max(3600).default(30),
  /** Keys are refetched at least this often, so a key the provider withdrew stops verifying. */
  jwksCacheMaxAgeSeconds: z.number().min(1).max(86_400).default(600),
  /** The admins' revocations of sign-ins (mode 0600). */
  revocationsPath: absolutePath.optional(),
  /** The web console's public client (authorization code + PKCE). */
  console: z.strictObject({ clientId: z.string().min(1), scope: z.string().default('openid profile') }).optional(),
});
export type OidcConfig = z.infer<typeof OidcConfigSchema>;

export const DEFAULT_RATE_LIMIT: RateLimitConfig = { windowMs: 60_000, max: 600 };

/**
 * Off-chain payload exchange between department gateways over mutual TLS, with the org's TLS
 * identity issued by its own Fabric CA; `peers` lists every department's endpoint and TLS CA.
 */
export const DataExchangeConfigSchema = z.strictObject({
  /** Any address: the exchange is always mutual TLS with tlsCertPath/tlsKeyPath, whatever the address. */
  listen: z.strictObject({ host: ListenHost, port: Port }),
  tlsCertPath: absolutePath,
  tlsKeyPath: absolutePath,
  /**
   * The gateway's own enrolment (ecert attribute govshare.role=gateway), distinct from every user and from the
   * org's MSP admin: the exchange evaluates grants and records deliveries with it. No token maps to it.
   */
  identity: z.strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
    certPath: absolutePath,
    keyPath: absolutePath,
  }),
  /** Overrides DEFAULT_EXCHANGE_LIMITS. */
  limits: z
    .strictObject({
      windowMs: z.number().int().min(1000).max(24 * 60 * 60 * 1000),
      maxRequests: z.number().int().min(1),
      maxConcurrentTransfers: z.number().int().min(1).max(1024),
      maxConcurrentPerRequester: z.number().int().min(1).max(1024),
    })
    .optional(),
  /** Where this department keeps the payloads of the datasets it owns (never on the ledger). */
  dataDir: absolutePath,
  peers: z
    .array(
      z.strictObject({
        mspId: z.string().regex(/^[A-Za-z][A-Za-z0-9.-]{0,63}$/),
        url: z.url({ protocol: /^https$/ }),
        tlsRootCertPath: absolutePath,
      }),
    )
    .min(1),
});
export type DataExchangeConfig = z.infer<typeof DataExchangeConfigSchema>;

/**
 * The org's Fabric CA, for enrolling users at run time (POST /admin/users): the gateway runs `fabric-ca-client`
 * as the org's registrar and keeps the new users' credentials in `walletDir`.
 */
export const CaConfigSchema = z.strictObject({
  url: z.url({ protocol: /^https$/ }),
  caName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a CA name such as ca-education'),
  tlsCertPath: absolutePath,
  /** fabric-ca-client home of the org's registrar (its enrolled MSP). */
  registrarHome: absolutePath,
  /** The fabric-ca-client binary. */
  clientBinary: absolutePath,
  /** Where the credentials and token hashes of users added at run time are kept (mode 0700). */
  walletDir: absolutePath,
});
export type CaConfig = z.infer<typeof CaConfigSchema>;

/**
 * How long the gateway waits for Fabric before it answers: a submit (endorse, order, commit, MVCC retries) that
 * has not committed by `submitMs` answers 504 FABRIC_TIMEOUT with its txId (its outcome is then unknown, and a
 * retry with the same Idempotency-Key settles it); an evaluate (a read) answers 504 after `evaluateMs`.
 */
export const DeadlinesConfigSchema = z.strictObject({
  submitMs: z.number().int().min(500).max(120_000),
  evaluateMs: z.number().int().min(200).max(60_000),
});
export type DeadlinesConfig = z.infer<typeof DeadlinesConfigSchema>;

export const GatewayConfigSchema = z
  .strictObject({
    org: Organisation,
    mspId: z.string().regex(/^[A-Za-z][A-Za-z0-9.-]{0,63}$/, 'must be an MSP id such as EducationMSP'),
    /** The REST API and console. Off loopback it must be HTTPS: see refuseClearTextOffLoopback. */
    listen: ListenConfigSchema,
    /**
     * Health (/healthz, /readyz) and Prometheus metrics on their own listener, which operators firewall apart from
     * the API; they then leave the API listener. Required when the API is off loopback. Like the API, plain HTTP
     * only on loopback (createListenerServer refuses it elsewhere); `tls` makes it HTTPS.
     */
    operations: ListenConfigSchema.optional(),
    peer: z.strictObject({
      endpoint: z.string().regex(/^[A-Za-z0-9.[\]:-]+:\d{1,5}$/, 'must be host:port'),
      hostAlias: z.string().min(1),
      tlsRootCertPath: absolutePath,
    }),
    channel: fabricName,
    chaincode: fabricName,
    users: z.array(UserConfigSchema).min(1),
    /** Requests per bearer token per window; defaults to DEFAULT_RATE_LIMIT. */
    rateLimit: RateLimitConfigSchema.optional(),
    dataExchange: DataExchangeConfigSchema.optional(),
    /** CORS is off unless origins are listed here. */
    cors: z.strictObject({ origins: z.array(Origin).min(1) }).optional(),
    /** Run-time user enrolment; POST /admin/users answers 503 without it. */
    ca: CaConfigSchema.optional(),
    /** Department users sign in with the department's OpenID Connect provider (needs `ca`: first use enrols them). */
    oidc: OidcConfigSchema.optional(),
    /** API token administration; /admin/tokens answers 503 without it (configured tokens still work). */
    apiTokens: ApiTokensConfigSchema.optional(),
    /** The channel's genesis block as the operator created it: ledger verification checks block 0 against it. */
    genesisBlockPath: absolutePath.optional(),
    /**
     * The gateway's own durable state (mode 0700): the Idempotency-Key store. Without it keys are remembered in
     * memory only, until the gateway restarts.
     */
    stateDir: absolutePath.optional(),
    /** Fabric deadlines; default DEFAULT_LEDGER_DEADLINES (submit 8 s, evaluate 3 s). */
    deadlines: DeadlinesConfigSchema.optional(),
  })
  .superRefine((config, ctx) => {
    if (config.apiTokens !== undefined && config.apiTokens.defaultLifetimeDays > config.apiTokens.maxLifetimeDays) {
      ctx.addIssue({ code: 'custom', path: ['apiTokens', 'defaultLifetimeDays'], message: 'must not exceed maxLifetimeDays' });
    }
    if (config.oidc !== undefined && config.ca === undefined) {
      ctx.addIssue({ code: 'custom', path: ['oidc'], message: "signing in with OIDC needs `ca`: users are enrolled with the org's Fabric CA on first use" });
    }
    refuseClearTextOffLoopback(config.listen, config.operations !== undefined, ctx);
    const seenIds = new Set<string>();
    const seenTokens = new Set<string>();
    config.users.forEach((user, index) => {
      if (seenIds.has(user.id)) {
        ctx.addIssue({ code: 'custom', path: ['users', index, 'id'], message: `duplicate user id "${user.id}"` });
      }
      if (user.tokenSha256 !== undefined) {
        if (seenTokens.has(user.tokenSha256)) {
          ctx.addIssue({ code: 'custom', path: ['users', index, 'tokenSha256'], message: 'duplicate token hash' });
        }
        seenTokens.add(user.tokenSha256);
      }
      seenIds.add(user.id);
    });
  });

/**
 * The API carries bearer tokens and the gateway signs with its users' keys: it never speaks plain HTTP to a network.
 * Off loopback it needs `listen.tls`, and its health and metrics a listener of their own.
 */
function refuseClearTextOffLoopback(listen: ListenConfig, separateOperations: boolean, ctx: z.RefinementCtx): void {
  if (isLoopbackHost(listen.host)) return;
  if (listen.tls === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['listen', 'tls'],
      message:
        `plain HTTP refused: the API would listen on ${listen.host}, which is not a loopback address. ` +
        'Set listen.tls {certPath, keyPath} (the org\'s CA-issued TLS certificate or an operator-supplied one) to serve HTTPS (TLS 1.3), or listen on 127.0.0.1',
    });
  }
  if (!separateOperations) {
    ctx.addIssue({
      code: 'custom',
      path: ['operations'],
      message: `the API listens on ${listen.host}, off loopback: health and metrics need their own listener (operations {host, port}) that operators can firewall`,
    });
  }
}

export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;
export type UserConfig = z.infer<typeof UserConfigSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates an already-parsed config object; the message lists every invalid field. */
export function parseConfig(raw: unknown, source = 'gateway config'): GatewayConfig {
  const result = GatewayConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(`Invalid ${source}:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}

export function loadConfigFile(path: string): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read gateway config ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`Gateway config ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseConfig(raw, `gateway config ${path}`);
}

/** Reads the config named by GOVSHARE_GATEWAY_CONFIG (written by the operator scripts). */
export function loadConfigFromEnv(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const path = env.GOVSHARE_GATEWAY_CONFIG;
  if (path === undefined || path === '') {
    throw new ConfigError('GOVSHARE_GATEWAY_CONFIG is not set: it must name the gateway config JSON file');
  }
  return loadConfigFile(path);
}
