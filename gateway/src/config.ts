import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { ROLES } from 'govshare-contract';
import { z } from 'zod';

export { ROLES };
export type { Role } from 'govshare-contract';

/** A department's short name (education, finance, …, or one added later with add-department.sh). */
export const Organisation = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'must be a department name such as education');
export type Organisation = z.infer<typeof Organisation>;

/** The gateway holds signing keys for its users, so it must never be reachable from outside the host. */
const LOOPBACK_HOSTS = ['127.0.0.1', '::1'] as const;

const absolutePath = z.string().min(1).refine(isAbsolute, { error: 'must be an absolute path' });

const fabricName = z.string().regex(/^[a-z][a-z0-9._-]{0,248}$/, 'must be a lower-case Fabric channel/chaincode name');

export const UserConfigSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 characters [A-Za-z0-9._-]'),
  role: z.enum(ROLES),
  certPath: absolutePath,
  keyPath: absolutePath,
  tokenSha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be the hex SHA-256 of the bearer token')
    .transform((hex) => hex.toLowerCase()),
});

/** A browser origin: scheme, host and optional port, nothing else. */
const Origin = z.string().regex(/^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?$/, 'must be an origin such as https://app.example.gov');

export const RateLimitConfigSchema = z.strictObject({
  windowMs: z.number().int().min(1000).max(24 * 60 * 60 * 1000),
  max: z.number().int().min(1),
});
export type RateLimitConfig = z.infer<typeof RateLimitConfigSchema>;

export const DEFAULT_RATE_LIMIT: RateLimitConfig = { windowMs: 60_000, max: 600 };

/**
 * Off-chain payload exchange between department gateways over mutual TLS, with the org's TLS
 * identity issued by its own Fabric CA; `peers` lists every department's endpoint and TLS CA.
 */
export const DataExchangeConfigSchema = z.strictObject({
  listen: z.strictObject({
    host: z.enum(LOOPBACK_HOSTS, { error: 'the data exchange listens on a loopback address only (127.0.0.1 or ::1)' }),
    port: z.number().int().min(1).max(65535),
  }),
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
    listen: z.strictObject({
      host: z.enum(LOOPBACK_HOSTS, { error: 'the gateway listens on a loopback address only (127.0.0.1 or ::1)' }),
      port: z.number().int().min(1).max(65535),
    }),
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
    const seenIds = new Set<string>();
    const seenTokens = new Set<string>();
    config.users.forEach((user, index) => {
      if (seenIds.has(user.id)) {
        ctx.addIssue({ code: 'custom', path: ['users', index, 'id'], message: `duplicate user id "${user.id}"` });
      }
      if (seenTokens.has(user.tokenSha256)) {
        ctx.addIssue({ code: 'custom', path: ['users', index, 'tokenSha256'], message: 'duplicate token hash' });
      }
      seenIds.add(user.id);
      seenTokens.add(user.tokenSha256);
    });
  });

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
