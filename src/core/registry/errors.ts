/** A registry operation that failed; the message names the operation and the reference. */
export class RegistryError extends Error {
  constructor(
    readonly operation: string,
    readonly reference: string,
    detail: string,
    readonly status?: number,
    /** The registry's error code (`MANIFEST_UNKNOWN`, `UNAUTHORIZED`, …) when it sent one. */
    readonly code?: string,
  ) {
    super(`${operation} ${reference}: ${detail}`);
    this.name = 'RegistryError';
  }
}

// HEAD answers carry no body, so the status alone has to speak.
const STATUS_WORDS: Readonly<Record<number, string>> = {
  400: 'bad request', 401: 'unauthorized', 403: 'forbidden', 404: 'not found', 405: 'not supported by this registry',
  429: 'too many requests', 500: 'registry error', 502: 'bad gateway', 503: 'unavailable', 504: 'gateway timeout',
};

/**
 * A distribution error's `detail` in words: distribution sends the access it wanted
 * (`[{"Type":"repository","Name":"team/app","Action":"pull"}]` → `pull access to repository team/app`);
 * other objects become `key value` pairs, never raw JSON.
 */
function detailWords(detail: unknown): string {
  if (detail === undefined || detail === null || detail === '') return '';
  if (typeof detail !== 'object') return String(detail);
  const entries = Array.isArray(detail) ? detail : [detail];
  return entries.map((entry) => {
    if (typeof entry !== 'object' || entry === null) return String(entry);
    const { Type: type, Name: name, Action: action } = entry as Record<string, unknown>;
    if (typeof type === 'string' && typeof name === 'string' && typeof action === 'string') return `${action === '*' ? 'full' : action} access to ${type} ${name}`;
    return Object.entries(entry).filter(([, value]) => value !== '' && value !== null && typeof value !== 'object').map(([key, value]) => `${key} ${String(value)}`).join(', ');
  }).filter(Boolean).join('; ').slice(0, 300);
}

/** Turns a distribution error body (`{"errors":[{code,message,detail}]}`) into words. */
export function describeErrorBody(status: number, body: string): { code?: string; message: string } {
  try {
    const parsed = JSON.parse(body) as { errors?: { code?: string; message?: string; detail?: unknown }[] };
    const first = parsed.errors?.[0];
    if (first) {
      const words = detailWords(first.detail);
      const detail = words ? ` (${words})` : '';
      return { ...(first.code ? { code: first.code } : {}), message: `${status} ${first.code ?? ''} ${first.message ?? ''}${detail}`.replace(/\s+/g, ' ').trim() };
    }
  } catch {
    // not JSON: fall through to the status line
  }
  const text = body.trim().slice(0, 200);
  return { message: `${status} ${STATUS_WORDS[status] ?? 'HTTP error'}${text ? `: ${text}` : ''}` };
}

/**
 * Why a sign-in failed, as a sentence for the notification (the registry's own words go to the
 * log): refused credentials, refused access, an untrusted certificate, nothing listening.
 */
export function signInFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RegistryError && error.status === 401) return 'the registry refused this user name and password or token';
  if (error instanceof RegistryError && error.status === 403) return 'the registry accepted the credentials but denies them access';
  if (/credentials refused/.test(message)) return "the registry's token service refused this user name and password or token";
  if (/certificate|self[- ]signed|TLS|SSL/i.test(message)) return 'its TLS certificate is not trusted (add its CA as "caFile" in the setting artifactSteward.registries)';
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET/.test(message)) return 'nothing answered at that address (check the host and port, and that the registry runs)';
  if (/plain HTTP/.test(message)) return 'it would mean sending the credentials over plain HTTP, which only loopback addresses may use (configure TLS)';
  return `the registry answered: ${message}`;
}

/** A reference that could not be read, and why: a search or a plan is incomplete there, and says so. */
export interface ReadFailure {
  readonly reference: string;
  readonly message: string;
}

export function readFailure(reference: string, error: unknown): ReadFailure {
  return { reference, message: (error as Error).message };
}
