import { constants } from 'node:fs';
import { access, lstat, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';

// Files we read from a folder we were pointed at (an OCI layout, a workspace) and files we write
// into it: a symlink must not lead outside, a write is all or nothing, and bytes we do not change stay.

export class OutsideRootError extends Error {}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

async function realPathUnder(root: string, realRoot: Promise<string>, path: string): Promise<string> {
  const [rootReal, real] = await Promise.all([realRoot, realpath(path)]);
  if (!isInside(rootReal, real)) throw new OutsideRootError(`${path} leads outside ${root} (to ${real}): refused`);
  return real;
}

/** The real path of `path`, refused when it (through any symlink) leaves `root`. */
export async function realPathInside(root: string, path: string): Promise<string> {
  return realPathUnder(root, realpath(root), path);
}

export interface FilesInside {
  /**
   * A regular file inside the root (symlinks followed only while they stay inside); FIFOs,
   * devices and files over `maxBytes` are refused without blocking on them.
   */
  read(path: string, maxBytes: number): Promise<Buffer>;
}

const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;
/** Where the platform has it (not Windows): an open that refuses a symlink as the file itself. */
const NO_FOLLOW = constants.O_NOFOLLOW as number | undefined;

/**
 * Reads files inside `root`, real paths resolved once per folder: a workspace lint reads thousands
 * of files from hundreds of folders, and each file-system call is a round trip through libuv's
 * threads. A file is opened in its folder's real path without following a symlink: a regular
 * file there is inside as its folder is, and one that is a symlink (the open fails with ELOOP)
 * has its own real path checked, as every file has without O_NOFOLLOW (Windows).
 */
export function filesInside(root: string): FilesInside {
  let realRoot: Promise<string> | undefined;
  const realFolders = new Map<string, Promise<string>>();
  const realFolder = (folder: string) => {
    let real = realFolders.get(folder);
    if (!real) realFolders.set(folder, (real = realPathUnder(root, realRoot!, folder)));
    return real;
  };
  const openInside = async (path: string) => {
    if (NO_FOLLOW) {
      // Any failure (a symlink, a folder outside, no such file) takes the file's own real path, whose error names the file.
      const handle = await realFolder(dirname(path)).then((folder) => open(join(folder, basename(path)), READ_FLAGS | NO_FOLLOW)).catch(() => undefined);
      if (handle) return handle;
    }
    return open(await realPathUnder(root, realRoot!, path), READ_FLAGS);
  };
  return {
    async read(path, maxBytes) {
      realRoot ??= realpath(root);
      const handle = await openInside(path);
      try {
        const info = await handle.stat();
        if (!info.isFile()) throw new Error(`${path} is not a regular file`);
        if (info.size > maxBytes) throw new Error(`${path} is ${info.size} bytes, over the ${maxBytes} allowed`);
        // The size the stat gave: a file growing meanwhile is read as it was, one shrinking to its end.
        const bytes = Buffer.allocUnsafe(info.size);
        let filled = 0;
        while (filled < bytes.length) {
          const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
          if (bytesRead === 0) return bytes.subarray(0, filled);
          filled += bytesRead;
        }
        return bytes;
      } finally {
        await handle.close();
      }
    },
  };
}

/** One file inside `root`, as filesInside reads it. */
export function readFileInside(root: string, path: string, maxBytes: number): Promise<Buffer> {
  return filesInside(root).read(path, maxBytes);
}

/** Text decoded so that encoding it again gives the same bytes: UTF-8 when it is valid, else Latin-1 (byte for byte). */
export interface DecodedText {
  readonly text: string;
  readonly encoding: 'utf8' | 'latin1';
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function decodeText(bytes: Buffer): DecodedText {
  try {
    return { text: strictUtf8.decode(bytes), encoding: 'utf8' };
  } catch {
    return { text: bytes.toString('latin1'), encoding: 'latin1' };
  }
}

export function encodeText(decoded: DecodedText, text: string): Buffer {
  return Buffer.from(text, decoded.encoding);
}

/** Where a write to `path` really lands (through a symlink inside `root`), or why it may not. */
async function writeTarget(root: string, path: string): Promise<string> {
  const link = await lstat(path).then((info) => info.isSymbolicLink(), () => false);
  const target = link ? await realPathInside(root, path) : join(await realPathInside(root, dirname(path)), basename(path));
  const info = await stat(target).catch(() => undefined);
  if (info && !info.isFile()) throw new Error(`${path} is not a regular file`);
  return target;
}

/** Why `path` cannot be written (outside `root`, not a regular file, read-only), or undefined when it can. */
export async function writeProblem(root: string, path: string): Promise<string | undefined> {
  try {
    const target = await writeTarget(root, path);
    await access(target, constants.W_OK).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      await access(dirname(target), constants.W_OK);
    });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Writes `data` to `path` inside `root` all at once: a temporary file beside the target, renamed
 * over it (readers never see half a file; a failure leaves the old file). A symlink is written
 * through only when its target is inside `root`; the file keeps its mode.
 */
export async function writeFileAtomically(root: string, path: string, data: Buffer | string): Promise<void> {
  const target = await writeTarget(root, path);
  const mode = (await stat(target).catch(() => undefined))?.mode;
  // Required here: loading node:crypto costs every command's start-up (≈ 4 ms), and only writes need it.
  const { randomBytes } = require('node:crypto') as typeof import('node:crypto');
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', mode === undefined ? 0o644 : mode & 0o7777);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, target);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
