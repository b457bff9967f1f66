import { readPolicyFile } from '../workspace/policyFiles';
import { readVex } from './vex';
import type { VexStatement } from './vex';

/**
 * Reads VEX files: those a config file names (`inside` its folder) or given on the command line.
 * One unreadable or unrecognised file throws an error naming it.
 */
export async function loadVexFiles(paths: readonly string[], base: string, inside?: string): Promise<VexStatement[]> {
  const statements: VexStatement[] = [];
  for (const path of paths) {
    const { label, content } = await readPolicyFile(path, base, 'VEX file', inside);
    const read = readVex(content, label);
    if ('error' in read) throw new Error(read.error);
    for (const statement of read.statements) statements.push(statement);
  }
  return statements;
}
