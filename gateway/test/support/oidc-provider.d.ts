/**
 * The part of oidc-provider's API the test provider uses. (@types/oidc-provider pulls in @types/koa, which does not
 * compile against the content-disposition types installed here; these few declarations are checked by use.)
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export type JWK = Record<string, unknown> & { kid?: string; alg?: string; use?: string };
  export interface JWKS {
    keys: JWK[];
  }

  export interface Grant {
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface KoaContextWithOIDC {
    oidc: {
      session?: { accountId?: string };
      client?: { clientId: string };
      provider: { Grant: new (properties: { clientId: string; accountId: string }) => Grant };
    };
  }

  export interface Account {
    accountId: string;
    claims(): Record<string, unknown>;
  }

  export interface Configuration {
    clients: Record<string, unknown>[];
    jwks: JWKS;
    cookies: { keys: string[] };
    pkce: { required: () => boolean };
    claims: Record<string, string[]>;
    findAccount: (ctx: KoaContextWithOIDC, sub: string) => Account | undefined;
    loadExistingGrant: (ctx: KoaContextWithOIDC) => Promise<Grant | undefined>;
    extraTokenClaims: (ctx: KoaContextWithOIDC, token: object) => Record<string, unknown>;
    features: Record<string, unknown>;
    ttl: Record<string, number>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  }
}
