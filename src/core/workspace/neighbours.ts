import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { readLintableFile } from '../lint/inputLimits';
import { filesInside } from './safeFiles';
import { parseAllDocuments } from 'yaml';
import { child, entries, items, stringScalar } from '../manifests/yamlNodes';
import type { FileKind } from './fileKinds';

/**
 * What other files of the workspace say about one file's images: a build's named contexts, the
 * variables Compose reads from `.env`, images a dev tool rewrites, GitLab CI included by name.
 */
export interface LintContext {
  /** Names Docker Bake or Compose bind to a build context: `COPY --from=<name>` and `FROM <name>` are not images. */
  readonly buildContexts?: ReadonlySet<string>;
  /** Variables of the `.env` beside a Compose file, with the line that sets each (1-based). */
  readonly composeEnvironment?: ReadonlyMap<string, EnvironmentValue>;
  /** Image names Skaffold or Tilt build and substitute when they deploy, with the file that says so. */
  readonly devToolImages?: ReadonlyMap<string, string>;
  /** The file is GitLab CI because `.gitlab-ci.yml` includes it. */
  readonly gitlabCi?: boolean;
}

export interface EnvironmentValue {
  readonly value: string;
  readonly line: number;
}

/** Reads a workspace file by its `/`-separated path relative to the root; undefined when absent or unreadable. */
export type ReadWorkspaceFile = (path: string) => Promise<string | undefined>;

const BAKE_FILES = ['docker-bake.hcl', 'docker-bake.json', 'docker-bake.override.hcl', 'docker-bake.override.json'];
const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const DEV_TOOL_FILES = ['skaffold.yaml', 'skaffold.yml', 'Tiltfile'];
/** Nested GitLab includes followed; GitLab itself allows 150 included files. */
const MAX_GITLAB_INCLUDES = 150;

function parentDirs(path: string): string[] {
  const dirs: string[] = [];
  for (let at = path.lastIndexOf('/'); at > 0; at = path.lastIndexOf('/', at - 1)) dirs.push(path.slice(0, at));
  dirs.push('');
  return dirs;
}

const inDir = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);

/** HCL with its comments blanked, strings kept: `#`, `//` and `/* *\/` outside quotes. */
function withoutHclComments(text: string): string {
  return text.replace(/"(?:[^"\\\n]|\\.)*"|#[^\n]*|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (match) => (match.startsWith('"') ? match : ' '));
}

/** The text inside the braces that open at `open`, strings skipped; undefined when they never close. */
function braced(text: string, open: number): string | undefined {
  let depth = 0;
  for (let at = open; at < text.length; at++) {
    const char = text[at];
    if (char === '"') {
      for (at++; at < text.length && text[at] !== '"'; at++) if (text[at] === '\\') at++;
    } else if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return text.slice(open + 1, at);
  }
  return undefined;
}

/** Keys of every `contexts = { name = "…" }` in a Bake HCL file. */
export function bakeHclContexts(text: string): string[] {
  const source = withoutHclComments(text);
  const names: string[] = [];
  for (const match of source.matchAll(/\bcontexts\s*=\s*\{/g)) {
    const body = braced(source, match.index + match[0].length - 1);
    if (body === undefined) continue;
    for (const key of body.matchAll(/(?:^|[{,\n])\s*(?:"([^"\n]+)"|([A-Za-z_][A-Za-z0-9_-]*))\s*[=:]/g)) names.push(key[1] ?? key[2]!);
  }
  return names;
}

/** Keys of `target.<name>.contexts` in a Bake JSON file. */
export function bakeJsonContexts(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const targets = (parsed as { target?: unknown } | null)?.target;
  if (!targets || typeof targets !== 'object') return [];
  return Object.values(targets).flatMap((target) => {
    const contexts = (target as { contexts?: unknown } | null)?.contexts;
    return contexts && typeof contexts === 'object' && !Array.isArray(contexts) ? Object.keys(contexts) : [];
  });
}

function yamlRoots(text: string): unknown[] {
  return parseAllDocuments(text, { uniqueKeys: false }).flatMap((document) => (Array.isArray(document) || document.errors.length > 0 ? [] : [document.contents]));
}

/** `services.*.build.additional_contexts`, as a map or a `name=value` list. */
export function composeAdditionalContexts(text: string): string[] {
  return yamlRoots(text).flatMap((root) => entries(child(root, 'services')).flatMap(([, service]) => {
    const contexts = child(child(service, 'build'), 'additional_contexts');
    return [...entries(contexts).map(([name]) => name), ...items(contexts).flatMap((item) => stringScalar(item)?.split('=')[0] ?? [])];
  }));
}

/** The variables of a Compose `.env` file, as Compose reads them: `KEY=value`, `export`, quotes, ` #` comments. */
export function parseDotEnv(text: string): Map<string, EnvironmentValue> {
  const variables = new Map<string, EnvironmentValue>();
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(raw);
    if (!match) return;
    const rest = match[2]!;
    const quoted = /^(["'])((?:\\.|(?!\1).)*)\1/.exec(rest);
    let value: string;
    if (!quoted) value = rest.replace(/\s+#.*$/, '').trim();
    else if (quoted[1] === "'") value = quoted[2]!;
    else value = quoted[2]!.replace(/\\(["\\n])/g, (_escape, char: string) => (char === 'n' ? '\n' : char));
    variables.set(match[1]!, { value, line: index + 1 });
  });
  return variables;
}

/** `build.artifacts[].image` of every document and profile of a skaffold.yaml. */
export function skaffoldImages(text: string): string[] {
  const artifacts = (build: unknown) => items(child(build, 'artifacts')).flatMap((artifact) => stringScalar(child(artifact, 'image')) ?? []);
  return yamlRoots(text).flatMap((root) => [...artifacts(child(root, 'build')), ...items(child(root, 'profiles')).flatMap((profile) => artifacts(child(profile, 'build')))]);
}

/** The image names of `docker_build('name', …)` and `custom_build(ref='name', …)` in a Tiltfile. */
export function tiltImages(text: string): string[] {
  return [...text.matchAll(/^[^#\n]*?\b(?:docker_build|custom_build|docker_build_with_restart)\(\s*(?:ref\s*=\s*)?(["'])([^"'\n]+)\1/gm)].map((match) => match[2]!);
}

/** Local files a GitLab CI file includes: a string, `local:` entries, and lists of either (remote, project and template includes are elsewhere). */
export function gitlabLocalIncludes(text: string): string[] {
  return yamlRoots(text).flatMap((root) => {
    const include = child(root, 'include');
    const entriesOf = items(include).length > 0 ? items(include) : include === undefined ? [] : [include];
    return entriesOf.flatMap((entry) => {
      const path = stringScalar(entry) ?? stringScalar(child(entry, 'local'));
      return path !== undefined && !/^https?:/.test(path) ? [path.replace(/^\/+/, '')] : [];
    });
  });
}

/**
 * Reads the files that decide a file's LintContext, once each: a workspace lint asks for many
 * files of the same folders. Make a new one when those files may have changed.
 */
export class NeighbourFiles {
  private readonly parsed = new Map<string, Promise<unknown>>();
  private gitlabMatchers: Promise<((path: string) => boolean)[]> | undefined;

  constructor(private readonly read: ReadWorkspaceFile) {}

  private once<T>(path: string, parse: (text: string) => T, empty: T): Promise<T> {
    let pending = this.parsed.get(path) as Promise<T> | undefined;
    if (!pending) {
      pending = this.read(path).then((text) => (text === undefined ? empty : parse(text)), () => empty);
      this.parsed.set(path, pending);
    }
    return pending;
  }

  /** Names that files in `dirs` (the file's folder and every parent) bind to build contexts. */
  private async buildContexts(dirs: readonly string[]): Promise<Set<string>> {
    const names = new Set<string>();
    for (const dir of dirs) {
      for (const name of BAKE_FILES) for (const context of await this.once(inDir(dir, name), name.endsWith('.json') ? bakeJsonContexts : bakeHclContexts, [])) names.add(context);
      for (const name of COMPOSE_FILES) for (const context of await this.once(inDir(dir, name), composeAdditionalContexts, [])) names.add(context);
    }
    return names;
  }

  private async devToolImages(dirs: readonly string[]): Promise<Map<string, string>> {
    const images = new Map<string, string>();
    for (const dir of dirs) {
      for (const name of DEV_TOOL_FILES) {
        const path = inDir(dir, name);
        for (const image of await this.once(path, name === 'Tiltfile' ? tiltImages : skaffoldImages, [])) if (!images.has(image)) images.set(image, path);
      }
    }
    return images;
  }

  /** Matchers for every local file `.gitlab-ci.yml` includes, following nested includes. */
  private gitlabIncludes(): Promise<((path: string) => boolean)[]> {
    this.gitlabMatchers ??= (async () => {
      const matchers: ((path: string) => boolean)[] = [];
      const queue = ['.gitlab-ci.yml'];
      for (let index = 0; index < queue.length && index < MAX_GITLAB_INCLUDES; index++) {
        for (const pattern of await this.once(queue[index]!, gitlabLocalIncludes, [])) {
          matchers.push(picomatch(pattern, { dot: true }));
          // A glob's files are found as they are linted; only literal paths can include further.
          if (!picomatch.scan(pattern).isGlob && !queue.includes(pattern)) queue.push(pattern);
        }
      }
      return matchers;
    })();
    return this.gitlabMatchers;
  }

  async contextFor(path: string, kind: FileKind): Promise<LintContext> {
    const dirs = parentDirs(path);
    if (kind === 'dockerfile') {
      const buildContexts = await this.buildContexts(dirs);
      return buildContexts.size > 0 ? { buildContexts } : {};
    }
    const [composeEnvironment, devToolImages, includes] = await Promise.all([
      this.once(inDir(dirs[0]!, '.env'), parseDotEnv, new Map<string, EnvironmentValue>()),
      this.devToolImages(dirs),
      path === '.gitlab-ci.yml' ? Promise.resolve([]) : this.gitlabIncludes(),
    ]);
    return {
      ...(composeEnvironment.size > 0 ? { composeEnvironment } : {}),
      ...(devToolImages.size > 0 ? { devToolImages } : {}),
      ...(includes.some((matches) => matches(path)) ? { gitlabCi: true } : {}),
    };
  }
}

/**
 * NeighbourFiles over the files under `root`, read with the lint limits (size, symlinks kept
 * inside `root`); each folder is listed once, so absent files cost no lookups.
 */
export function neighbourFilesOnDisk(root: string): NeighbourFiles {
  const listings = new Map<string, Promise<Set<string>>>();
  const files = filesInside(root);
  const namesIn = (dir: string) => {
    let names = listings.get(dir);
    if (!names) {
      names = readdir(join(root, dir)).then((found) => new Set(found), () => new Set<string>());
      listings.set(dir, names);
    }
    return names;
  };
  return new NeighbourFiles(async (path) => {
    const slash = path.lastIndexOf('/');
    if (!(await namesIn(path.slice(0, Math.max(slash, 0)))).has(path.slice(slash + 1))) return undefined;
    return readLintableFile(files, join(root, path)).catch(() => undefined);
  });
}
