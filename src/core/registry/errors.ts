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

/** Turns a distribution error body (`{"errors":[{code,message,detail}]}`) into words. */
export function describeErrorBody(status: number, body: string): { code?: string; message: string } {
  try {
    const parsed = JSON.parse(body) as { errors?: { code?: string; message?: string; detail?: unknown }[] };
    const first = parsed.errors?.[0];
    if (first) {
      const detail = first.detail === undefined || first.detail === null ? '' : ` (${typeof first.detail === 'string' ? first.detail : JSON.stringify(first.detail)})`;
      return { ...(first.code ? { code: first.code } : {}), message: `${status} ${first.code ?? ''} ${first.message ?? ''}${detail}`.replace(/\s+/g, ' ').trim() };
    }
  } catch {
    // not JSON: fall through to the status line
  }
  const text = body.trim().slice(0, 200);
  return { message: `${status} ${STATUS_WORDS[status] ?? 'HTTP error'}${text ? `: ${text}` : ''}` };
}
