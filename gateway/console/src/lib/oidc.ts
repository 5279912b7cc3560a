/**
 * Sign-in with the department's OpenID Connect provider: the authorization code flow with PKCE (S256) and a state,
 * for a public client (no secret in a browser), through oauth4webapi (panva's certified OAuth 2 / OIDC client
 * primitives) rather than hand-written protocol checks. The access token it yields is a JWT the gateway verifies
 * against the provider's keys; it is kept like a pasted token (this tab's session storage).
 */
import * as oauth from 'oauth4webapi';

/** What GET /sign-in tells the console (null: API tokens only). */
export interface OidcSignIn {
  readonly issuer: string;
  readonly clientId: string;
  readonly scope: string;
  /** The gateway's audience, asked for as an RFC 8707 resource indicator. */
  readonly resource: string;
}

const PENDING_KEY = 'govshare.console.oidc';

interface Pending {
  readonly codeVerifier: string;
  readonly state: string;
}

export async function signInOptions(): Promise<OidcSignIn | null> {
  const response = await fetch('/sign-in', { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) return null;
  return ((await response.json()) as { oidc: OidcSignIn | null }).oidc;
}

/** The console's own address is the redirect URI registered for its client. */
function redirectUri(): string {
  return `${location.origin}/console/`;
}

async function authorizationServer(options: OidcSignIn): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(options.issuer);
  // Plain HTTP only for a provider on loopback (the gateway's config refuses anything else); oauth4webapi marks the
  // switch deprecated so that it stands out.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', [oauth.allowInsecureRequests]: issuer.protocol === 'http:' });
  return await oauth.processDiscoveryResponse(issuer, response);
}

/** Leaves for the provider's sign-in page; it comes back to /console/?code=…&state=…. */
export async function beginSignIn(options: OidcSignIn): Promise<void> {
  const server = await authorizationServer(options);
  if (server.authorization_endpoint === undefined) throw new Error('the identity provider has no authorization endpoint');
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const pending: Pending = { codeVerifier, state };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(server.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: options.clientId,
    response_type: 'code',
    redirect_uri: redirectUri(),
    scope: options.scope,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    resource: options.resource,
  }).toString();
  location.assign(url.toString());
}

/** True when this page load is the provider's redirect back with a code (or an error). */
export function isSignInCallback(): boolean {
  const params = new URLSearchParams(location.search);
  return sessionStorage.getItem(PENDING_KEY) !== null && (params.has('code') || params.has('error'));
}

/** Exchanges the code for the access token (state and PKCE checked), and removes them from the address bar. */
export async function completeSignIn(options: OidcSignIn): Promise<string> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null') as Pending | null;
  sessionStorage.removeItem(PENDING_KEY);
  const callback = new URL(location.href);
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  if (pending === null) throw new Error('no sign-in was started in this tab');
  const server = await authorizationServer(options);
  const client: oauth.Client = { client_id: options.clientId };
  const parameters = oauth.validateAuthResponse(server, client, callback, pending.state);
  const insecure = new URL(options.issuer).protocol === 'http:';
  const response = await oauth.authorizationCodeGrantRequest(server, client, oauth.None(), parameters, redirectUri(), pending.codeVerifier, {
    additionalParameters: { resource: options.resource },
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- loopback providers only, as above
    [oauth.allowInsecureRequests]: insecure,
  });
  const result = await oauth.processAuthorizationCodeResponse(server, client, response);
  return result.access_token;
}
