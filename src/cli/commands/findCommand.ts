import { basename, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findImages } from '../../core/find/find';
import type { FindProgress, FindResult } from '../../core/find/find';
import { FindQueryError, parseFindQuery } from '../../core/find/query';
import { OciLayoutRegistry } from '../../core/registry/ociLayout';
import { scanWorkspace } from '../../core/retention/protection';
import { toPosix } from '../../core/workspace/walk';
import { configFor } from '../check';
import { registryAccess, splitLayoutArgument, splitRegistryArgument } from '../registryAccess';
import { REGISTRY_OPTIONS } from '../registryFlags';
import { inert } from '../terminalText';
import { print, UsageError } from '../usage';

function describeResult(result: FindResult): string {
  return result.images.map((image) => {
    const lines = [`${image.registry}/${image.repository}@${image.digest}${image.tags.length > 0 ? `  ${image.tags.join(', ')}` : ''}`, `  matched by: ${image.matchedBy.join('; ')}`];
    if (image.deployedBy.length > 0) lines.push(`  deployed by: ${image.deployedBy.map((reference) => reference.where).join(', ')}`);
    return `${inert(lines.join('\n'))}\n`;
  }).join('');
}

const PHASES: Readonly<Record<FindProgress['phase'], string>> = { repositories: 'repositories listed', tags: 'repositories whose tags are listed', images: 'manifests read' };

/** `steward find <registry>[/<prefix>] --revision …`: images by labels, annotations and provenance. */
export async function findCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args], allowPositionals: true,
    options: {
      label: { type: 'string', multiple: true }, revision: { type: 'string' }, source: { type: 'string' }, 'base-digest': { type: 'string' }, 'created-after': { type: 'string' },
      'annotations-only': { type: 'boolean' }, workspace: { type: 'string', multiple: true }, concurrency: { type: 'string' }, 'config-root': { type: 'string' }, json: { type: 'boolean' }, ...REGISTRY_OPTIONS,
    },
  });
  if (positionals.length !== 1) throw new UsageError('find takes one <registry>[/<repository-prefix>]');
  let query;
  try {
    query = parseFindQuery({
      ...(values.label ? { labels: values.label } : {}), ...(values.revision !== undefined ? { revision: values.revision } : {}), ...(values.source !== undefined ? { source: values.source } : {}),
      ...(values['base-digest'] !== undefined ? { baseDigest: values['base-digest'] } : {}), ...(values['created-after'] !== undefined ? { createdAfter: values['created-after'] } : {}),
      ...(values['annotations-only'] ? { annotationsOnly: true } : {}),
    });
  } catch (error) {
    if (error instanceof FindQueryError) throw new UsageError(error.message);
    throw error;
  }
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)) throw new UsageError('--concurrency takes a whole number from 1 to 64');
  const cwd = process.cwd();
  const loaded = await configFor(cwd, values['config-root']);
  if (loaded.error) throw new UsageError(`${loaded.error.file}: ${loaded.error.key}: ${loaded.error.message}`);
  const layout = splitLayoutArgument(positionals[0]!);
  const { registry, repository } = layout ? { registry: layout.dir, repository: undefined } : splitRegistryArgument(positionals[0]!);
  const workspaceRoots = (values.workspace ?? ['.']).map((path) => resolve(cwd, path));
  const access = registryAccess(values);
  try {
    const backend = layout ? new OciLayoutRegistry(resolve(layout.dir)) : access.open(registry);
    const scanned = await scanWorkspace(workspaceRoots, (path) => loaded.config.isExcluded(toPosix(relative(loaded.root, path))));
    for (const file of scanned.unreadable) process.stderr.write(`steward: ${inert(file.path)}: not read for deployments: ${inert(file.reason)}\n`);
    const onProgress = process.stderr.isTTY ? (progress: FindProgress) => process.stderr.write(`\r\x1b[K${progress.done}/${progress.total} ${PHASES[progress.phase]}`) : undefined;
    const result = await findImages(backend, query, {
      workspace: scanned.references, ...(repository ? { repositoryPrefix: repository } : {}), ...(concurrency ? { concurrency } : {}), ...(onProgress ? { onProgress } : {}),
    });
    if (onProgress) process.stderr.write('\r\x1b[K');
    for (const failure of result.failures) process.stderr.write(`steward: not searched: ${inert(failure.message)}\n`);
    if (values.json) {
      const name = layout ? `oci:${basename(resolve(layout.dir))}` : registry;
      await print(`${JSON.stringify({ registry: name, ...(repository ? { repositoryPrefix: repository } : {}), query, ...result }, null, 2)}\n`);
    } else {
      await print(describeResult(result));
      process.stderr.write(`${result.images.length} image(s) found; ${result.imagesRead} image(s) read in ${result.repositories} repositor${result.repositories === 1 ? 'y' : 'ies'}\n`);
    }
    return result.failures.length > 0 ? 1 : 0;
  } finally {
    await access.close();
  }
}
