import { parseArgs } from 'node:util';
import { mapLimited } from '../../core/concurrency';
import { basename, resolve } from 'node:path';
import { OciLayoutRegistry } from '../../core/registry/ociLayout';
import { sortTags } from '../../core/registry/tagOrder';
import { registryAccess, splitLayoutArgument, splitRegistryArgument } from '../registryAccess';
import { REGISTRY_OPTIONS } from '../registryFlags';
import { print, UsageError } from '../usage';

/** Registries known to serve no catalog: say so instead of failing with a 404. */
const NO_CATALOG = new Set(['docker.io', 'ghcr.io', 'gcr.io', 'quay.io']);

export async function lsCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { json: { type: 'boolean' }, digests: { type: 'boolean' }, ...REGISTRY_OPTIONS } });
  if (positionals.length !== 1) throw new UsageError('ls takes one <registry>[/<repository>]');
  const layout = splitLayoutArgument(positionals[0]!);
  const { registry, repository } = layout ? { registry: layout.dir, repository: basename(resolve(layout.dir)) } : splitRegistryArgument(positionals[0]!);
  const access = registryAccess(values);
  try {
    const client = layout ? new OciLayoutRegistry(resolve(layout.dir)) : access.open(registry);
    if (!repository) {
      if (NO_CATALOG.has(registry)) throw new UsageError(`${registry} does not list its repositories (no catalog API); name one: steward ls ${registry}/<namespace>/<repository>`);
      const repositories: string[] = [];
      for await (const page of client.listRepositories()) for (const repository of page) repositories.push(repository);
      await print(values.json ? `${JSON.stringify({ registry, repositories }, null, 2)}\n` : repositories.map((name) => `${name}\n`).join(''));
      return 0;
    }
    const listed: string[] = [];
    for await (const page of client.listTags(repository)) for (const tag of page) listed.push(tag);
    // The explorer's order: versions newest first, then the rest in natural order.
    const tags = sortTags(listed, 'version');
    // Digests cost one HEAD per tag: only on request, and eight at a time.
    const digests = values.digests ? await mapLimited(tags, 8, async (tag) => (await client.resolve(repository, tag)).digest) : undefined;
    if (values.json) {
      await print(`${JSON.stringify({ registry, repository, tags: tags.map((tag, index) => ({ tag, ...(digests ? { digest: digests[index] } : {}) })) }, null, 2)}\n`);
    } else {
      await print(tags.map((tag, index) => (digests ? `${tag}\t${digests[index]}\n` : `${tag}\n`)).join(''));
    }
    return 0;
  } finally {
    await access.close();
  }
}
