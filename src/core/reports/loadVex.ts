import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { readFileInside } from '../workspace/safeFiles';
import { readVex } from './vex';
import type { VexStatement } from './vex';

/** VEX documents are small; a bigger file is a mistake or an attack. */
const MAX_VEX_BYTES = 32 * 1024 * 1024;

/**
 * Reads VEX files: those a config file names (`inside` its folder: a workspace cannot make us read
 * outside it) or given on the command line. One unreadable or unrecognised file throws an error naming it.
 */
export async function loadVexFiles(paths: readonly string[], base: string, inside?: string): Promise<VexStatement[]> {
  const statements: VexStatement[] = [];
  for (const path of paths) {
    const absolute = resolve(base, path);
    const label = isAbsolute(path) ? path : relative(process.cwd(), absolute) || path;
    let content: string;
    try {
      content = inside ? (await readFileInside(inside, absolute, MAX_VEX_BYTES)).toString('utf8') : await readFile(absolute, 'utf8');
    } catch (error) {
      throw new Error(`VEX file ${label} cannot be read: ${(error as Error).message}`);
    }
    const read = readVex(content, label);
    if ('error' in read) throw new Error(read.error);
    for (const statement of read.statements) statements.push(statement);
  }
  return statements;
}
