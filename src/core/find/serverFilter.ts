import { OCI_BASE_DIGEST, OCI_REVISION } from './query';
import type { FindQuery } from './query';

/**
 * A registry that can filter images by annotation itself (Artifact Registry's `versions.list`
 * filter). It only narrows the candidates: find still reads each one and checks the whole query,
 * so a filter that says too much costs time, never a wrong result. Used only for queries that
 * annotations alone answer (`annotationsOnly`): labels live in image configs, which no registry
 * indexes, so any other query lists everything.
 */
export interface ServerSideFilter {
  readonly name: string;
  /** The images the registry names for the query, or undefined when it cannot express it (find then lists everything). */
  candidates(query: FindQuery, repositoryPrefix: string | undefined, signal?: AbortSignal): Promise<{ repository: string; reference: string; tags: string[] }[] | undefined>;
}

/** A key or value inside an Artifact Registry filter: backticks quote dots, slashes and colons. */
function quotedTerm(value: string): string | undefined {
  return /[`\\]/.test(value) ? undefined : `\`${value}\``;
}

const FULL_COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The `filter` of Artifact Registry's `projects.locations.repositories.packages.versions.list`
 * for a query (`annotations.\`key\`:\`value\``, joined by AND), or undefined when annotations
 * cannot answer it exactly: a short revision (the registry has no prefix match on values),
 * `--created-after`, a source (URLs are written in several equivalent forms), or a value with a backtick.
 */
export function artifactRegistryFilter(query: FindQuery): string | undefined {
  if (!query.annotationsOnly || query.createdAfter || query.source) return undefined;
  const pairs: [string, string][] = query.labels.map(({ key, value }) => [key, value]);
  if (query.revision) {
    if (!FULL_COMMIT.test(query.revision)) return undefined;
    pairs.push([OCI_REVISION, query.revision]);
  }
  if (query.baseDigest) pairs.push([OCI_BASE_DIGEST, query.baseDigest]);
  if (pairs.length === 0) return undefined;
  const terms = pairs.map(([key, value]) => {
    const [quotedKey, quotedValue] = [quotedTerm(key), quotedTerm(value)];
    return quotedKey && quotedValue ? `annotations.${quotedKey}:${quotedValue}` : undefined;
  });
  return terms.every((term) => term !== undefined) ? terms.join(' AND ') : undefined;
}

/**
 * The `versions.list` parent for an Artifact Registry Docker image (`LOCATION-docker.pkg.dev`,
 * repository `PROJECT/REPOSITORY/IMAGE…`), or undefined for any other host or a path that names no image.
 */
export function artifactRegistryParent(host: string, repository: string): string | undefined {
  const location = /^([a-z0-9-]+)-docker\.pkg\.dev$/.exec(host.toLowerCase())?.[1];
  const [project, arRepository, ...image] = repository.split('/');
  if (!location || !project || !arRepository || image.length === 0) return undefined;
  return `projects/${project}/locations/${location}/repositories/${arRepository}/packages/${encodeURIComponent(image.join('/'))}`;
}

