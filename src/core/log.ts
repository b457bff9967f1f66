/** The small logger core depends on; the CLI and the extension implement it. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Removes secrets from text bound for a log or an error: credentials in URLs, Authorization
 * values, tokens in query strings and JSON bodies.
 */
export function redact(text: string): string {
  return text
    .replace(/(\/\/)[^/@\s:]+:[^/@\s]+@/g, '$1***:***@')
    .replace(/\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 ***')
    .replace(/([?&](?:access_token|token|password|secret|refresh_token)=)[^&\s]+/gi, '$1***')
    .replace(/("(?:token|access_token|refresh_token|password|secret|identitytoken|auth|Secret)"\s*:\s*")[^"]*"/gi, '$1***"');
}
