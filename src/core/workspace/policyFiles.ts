import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readFileInside } from './safeFiles';

/** Policy inputs (VEX documents, public keys) are small; a bigger file is a mistake or an attack. */
const MAX_POLICY_FILE_BYTES = 32 * 1024 * 1024;

/**
 * A file a policy names: relative to `base`, and when the policy comes from a workspace's config,
 * read only `inside` its folder (a pull request cannot make us read elsewhere). Named in messages as
 * written; `what` says what it is.
 */
export async function readPolicyFile(path: string, base: string, what: string, inside?: string): Promise<{ label: string; content: string }> {
  const absolute = resolve(base, path);
  const label = path;
  try {
    const content = inside ? (await readFileInside(inside, absolute, MAX_POLICY_FILE_BYTES)).toString('utf8') : await readFile(absolute, 'utf8');
    return { label, content };
  } catch (error) {
    throw new Error(`${what} ${label} cannot be read: ${(error as Error).message}`);
  }
}
