export type FileKind = 'dockerfile' | 'yaml';

const DOCKERFILE_NAME = /^(?:(?:docker|container)file(?:[.-].+)?|.+\.(?:docker|container)file)$/i;

/** Which analyser a file needs, from its name alone; undefined for files we do not check. */
export function fileKindOf(path: string): FileKind | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1);
  // `Dockerfile.dockerignore` is the ignore file BuildKit pairs with that Dockerfile.
  if (DOCKERFILE_NAME.test(name) && !name.endsWith('.dockerignore')) return 'dockerfile';
  if (/\.ya?ml$/i.test(name)) return 'yaml';
  return undefined;
}
