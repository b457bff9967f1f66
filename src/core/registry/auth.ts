import type { Transport } from './transport';

export type Credential =
  | { readonly username: string; readonly password: string }
  /** An OAuth2 refresh token (`identitytoken` in the Docker config; helpers answer Username `<token>`). */
  | { readonly identityToken: string };

/** Where credentials come from: SecretStorage, the Docker config and its helpers, the environment. */
export interface CredentialProvider {
  get(host: string): Promise<Credential | undefined>;
}

export const noCredentials: CredentialProvider = { get: async () => undefined };

/** Tries providers in order; the first that knows the host wins. */
export function firstOf(...providers: CredentialProvider[]): CredentialProvider {
  return {
    async get(host) {
      for (const provider of providers) {
        const credential = await provider.get(host);
        if (credential) return credential;
      }
      return undefined;
    },
  };
}

export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Parses `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` (quoted or token values). */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const param of match[2]!.matchAll(/([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params[param[1]!.toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : param[3]!;
  }
  return { scheme: match[1]!.toLowerCase(), params };
}

export function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

function basicHeader(credential: Credential): string | undefined {
  return 'username' in credential ? `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}` : undefined;
}

/**
 * Answers registry challenges: Basic with the host's credentials, Bearer by fetching a token for
 * the scope (cached per realm, service and scope until shortly before it expires).
 */
export class Authenticator {
  private readonly tokens = new Map<string, CachedToken>();
  /** The last Authorization header that worked per host and scope, sent up front next time. */
  private readonly known = new Map<string, { challenge: Challenge }>();

  constructor(private readonly transport: Transport, private readonly credentials: CredentialProvider) {}

  /** The header to send before any challenge, when this host and scope were seen before. */
  async preemptive(host: string, scope: string, secure: boolean): Promise<string | undefined> {
    const known = this.known.get(`${host}|${scope}`) ?? this.known.get(`${host}|*`);
    return known ? this.answer(host, scope, known.challenge, secure) : undefined;
  }

  /** The header that answers a 401's challenge, or undefined when nothing can. */
  async answer(host: string, scope: string, challenge: Challenge, secure: boolean): Promise<string | undefined> {
    if (!secure && !isLoopback(host)) {
      throw new Error(`refusing to send credentials to ${host} over plain HTTP (configure TLS, or use a loopback address)`);
    }
    if (challenge.scheme === 'basic') {
      const credential = await this.credentials.get(host);
      const header = credential ? basicHeader(credential) : undefined;
      if (header) this.known.set(`${host}|*`, { challenge });
      return header;
    }
    if (challenge.scheme !== 'bearer' || !challenge.params.realm) return undefined;
    const token = await this.token(host, scope, challenge);
    this.known.set(`${host}|${scope}`, { challenge });
    return `Bearer ${token}`;
  }

  private async token(host: string, scope: string, challenge: Challenge): Promise<string> {
    const realm = challenge.params.realm!;
    const service = challenge.params.service ?? '';
    const key = `${realm}|${service}|${scope}`;
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.token;
    const realmUrl = new URL(realm);
    if (realmUrl.protocol !== 'https:' && !isLoopback(realmUrl.host)) throw new Error(`refusing to fetch a token from ${realmUrl.origin} over plain HTTP`);
    if (service) realmUrl.searchParams.set('service', service);
    for (const part of scope.split(' ').filter(Boolean)) realmUrl.searchParams.append('scope', part);
    const credential = await this.credentials.get(host);
    let response;
    if (credential && 'identityToken' in credential) {
      // OAuth2 refresh-token grant, as Docker does for identity tokens.
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credential.identityToken, service, client_id: 'artifact-steward', scope });
      response = await this.transport.request({ method: 'POST', url: realm, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    } else {
      const header = credential ? basicHeader(credential) : undefined;
      response = await this.transport.request({ method: 'GET', url: realmUrl.toString(), headers: header ? { authorization: header } : {} });
    }
    if (response.status !== 200) throw new Error(`the token service ${realmUrl.origin} answered ${response.status}${response.status === 401 ? ' (credentials refused)' : ''}`);
    const body = JSON.parse(response.body.toString('utf8')) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error(`the token service ${realmUrl.origin} sent no token`);
    // Renew 30 s early; the spec's default lifetime is 60 s.
    const lifetime = Math.max(10, (body.expires_in ?? 60) - 30) * 1000;
    this.tokens.set(key, { token, expiresAt: Date.now() + lifetime });
    return token;
  }

  /** Forgets a token the registry refused (expired early, revoked). */
  forget(host: string, scope: string): void {
    this.known.delete(`${host}|${scope}`);
    for (const key of this.tokens.keys()) if (key.endsWith(`|${scope}`)) this.tokens.delete(key);
  }
}
