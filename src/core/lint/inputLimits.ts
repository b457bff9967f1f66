import type { Range } from './finding';
import type { FilesInside } from '../workspace/safeFiles';

// One hostile file must not stall or crash a lint of the whole workspace: what is over these
// bounds is reported as one file-invalid finding instead of parsed. No Dockerfile or manifest
// written by people (or generated for them) comes near either.

export const MAX_FILE_BYTES = 16 * 1024 * 1024;
export const MAX_LINE_CHARACTERS = 524_288;

export interface InputProblem {
  readonly range: Range;
  readonly message: string;
}

const atStartOfLine = (line: number): Range => ({ start: { line, character: 0 }, end: { line, character: 0 } });

/** Why `text` is too big to lint (with where), or undefined when it is within the bounds. */
export function inputProblem(text: string): InputProblem | undefined {
  // Counting UTF-8 bytes is only needed when the length alone does not decide.
  const bytes = text.length * 3 <= MAX_FILE_BYTES ? text.length : Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_FILE_BYTES) {
    return { range: atStartOfLine(0), message: `The file is ${bytes} bytes, over the ${MAX_FILE_BYTES} that are checked: not checked.` };
  }
  let line = 0;
  for (let start = 0; start <= text.length; line += 1) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    if (end - start > MAX_LINE_CHARACTERS) {
      return { range: atStartOfLine(line), message: `Line ${line + 1} has ${end - start} characters, over the ${MAX_LINE_CHARACTERS} that are checked: the file is not checked.` };
    }
    start = end + 1;
  }
  return undefined;
}

/**
 * The text of a workspace file to lint: a regular file inside the root of `files` (symlinks
 * followed only while they stay inside) of at most MAX_FILE_BYTES. FIFOs and devices are refused
 * without blocking on them; the error says why.
 */
export async function readLintableFile(files: FilesInside, file: string): Promise<string> {
  return (await files.read(file, MAX_FILE_BYTES)).toString('utf8');
}
