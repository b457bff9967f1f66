// A GitOps workspace with two environments (Kustomize base + overlays, Helm values per
// environment — prod's layered over the chart's values.yaml —, plain Compose and Kubernetes manifests) and the images it deploys, pushed to a real
// registry so that every kind of drift is there to find.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { skopeoPush, writeOciLayout } from './fixtures';
import type { RunningRegistry } from './registryServer';

/** The images by `repository:tag`, each with its own content (so its own digest) and creation date. */
const IMAGES: readonly { repository: string; tag: string; created: string }[] = [
  { repository: 'team/api', tag: '1.2.0', created: '2024-03-01T00:00:00Z' },
  { repository: 'team/api', tag: '1.3.0', created: '2024-04-01T00:00:00Z' },
  { repository: 'team/proxy', tag: '2.0.0', created: '2024-01-15T00:00:00Z' },
  { repository: 'team/worker', tag: '2.0.0', created: '2024-02-01T00:00:00Z' },
  { repository: 'team/worker', tag: '2.1.0', created: '2024-04-10T00:00:00Z' },
  { repository: 'team/cache', tag: '0.9.0', created: '2023-11-01T00:00:00Z' },
  { repository: 'team/cache', tag: '1.0.0', created: '2024-04-20T00:00:00Z' },
  { repository: 'team/migrate', tag: '1.0.0', created: '2024-02-20T00:00:00Z' },
  { repository: 'other/migrate', tag: '1.0.0', created: '2024-02-21T00:00:00Z' },
];

/** Digests by `repository:tag` as pushed, plus `team/worker:2.0.0-old` (the digest 2.0.0 had before it moved). */
export type EnvironmentDigests = Readonly<Record<string, string>>;

/**
 * Pushes every image, then makes the drift: `team/worker:2.0.0` is pushed again with other
 * content (the tag moves under prod's pinned digest), and `team/cache:0.9.0`'s tag is removed from
 * the registry's storage while its manifest stays (prod runs a digest that no longer has its tag;
 * distribution cannot delete a tag alone, other registries can).
 */
export async function pushEnvironmentImages(registry: RunningRegistry, registryDataDir: string, workDir: string): Promise<EnvironmentDigests> {
  const digests: Record<string, string> = {};
  for (const [index, image] of IMAGES.entries()) {
    const layoutDir = join(workDir, `layout-${index}`);
    const written = writeOciLayout(layoutDir, [{ tag: image.tag, created: image.created, content: `${image.repository}:${image.tag}` }]);
    await skopeoPush(registry, layoutDir, image.tag, image.repository);
    digests[`${image.repository}:${image.tag}`] = written.digests[image.tag]!;
  }
  const moved = join(workDir, 'layout-moved');
  const rebuilt = writeOciLayout(moved, [{ tag: '2.0.0', created: '2024-04-12T00:00:00Z', content: 'team/worker:2.0.0 rebuilt' }]);
  await skopeoPush(registry, moved, '2.0.0', 'team/worker');
  digests['team/worker:2.0.0-old'] = digests['team/worker:2.0.0']!;
  digests['team/worker:2.0.0'] = rebuilt.digests['2.0.0']!;
  rmSync(join(registryDataDir, 'docker', 'registry', 'v2', 'repositories', 'team', 'cache', '_manifests', 'tags', '0.9.0'), { recursive: true });
  return digests;
}

/** The workspace's files by path; `host` is the registry's `127.0.0.1:PORT`. */
export function environmentWorkspaceFiles(host: string, digests: EnvironmentDigests, options: { configured: boolean }): Record<string, string> {
  const files: Record<string, string> = {
    'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    'base/deployment.yaml': [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: api', 'spec:', '  template:', '    spec:', '      containers:',
      '        - name: api', `          image: ${host}/team/api:1.0.0`, '        - name: proxy', `          image: ${host}/team/proxy:2.0.0`, '',
    ].join('\n'),
    'overlays/staging/kustomization.yaml': [
      'resources:', '  - ../../base', 'images:', `  - name: ${host}/team/api`, '    newTag: 1.3.0 # staging follows releases', '',
    ].join('\n'),
    'overlays/prod/kustomization.yaml': [
      'resources:', '  - ../../base', 'images:', `  - name: ${host}/team/api`, '    newTag: 1.2.0', `    digest: ${digests['team/api:1.2.0']}`, '',
    ].join('\n'),
    // The chart's shared values; prod's file overrides only the tag and digest (helm -f values.yaml -f values-prod.yaml).
    'helm/values.yaml': ['replicas: 1', 'worker:', '  image:', `    registry: ${host}`, '    repository: team/worker', '    tag: 1.0.0', '    pullPolicy: IfNotPresent', ''].join('\n'),
    'helm/values-staging.yaml': ['worker:', '  image:', `    registry: ${host}`, '    repository: team/worker', '    tag: 2.1.0', ''].join('\n'),
    'helm/values-prod.yaml': ['worker:', '  image:', '    tag: "2.0.0"', `    digest: ${digests['team/worker:2.0.0-old']}`, ''].join('\n'),
    'compose/staging/compose.yaml': ['services:', '  cache:', `    image: ${host}/team/cache:1.0.0`, ''].join('\n'),
    'compose/prod/compose.yaml': ['services:', '  cache:', `    image: ${host}/team/cache:0.9.0@${digests['team/cache:0.9.0']}`, ''].join('\n'),
    'jobs/staging/migrate.yaml': ['apiVersion: batch/v1', 'kind: Job', 'metadata: {name: migrate}', 'spec:', '  template:', '    spec:', '      containers:', '        - name: migrate', `          image: ${host}/team/migrate:1.0.0`, ''].join('\n'),
    'jobs/prod/migrate.yaml': ['apiVersion: batch/v1', 'kind: Job', 'metadata: {name: migrate}', 'spec:', '  template:', '    spec:', '      containers:', '        - name: migrate', `          image: ${host}/other/migrate:1.0.0`, ''].join('\n'),
  };
  if (options.configured) {
    files['.steward.yaml'] = [
      'environments:',
      '  - name: staging',
      '    paths: ["overlays/staging/**", "helm/values-staging.yaml", "compose/staging/**", "jobs/staging/**"]',
      '  - name: prod',
      '    paths: ["overlays/prod/**", "helm/values-prod.yaml", "compose/prod/**", "jobs/prod/**"]',
      '    production: true',
      `    registries: ["${host}/team/"]`,
      '',
    ].join('\n');
  }
  return files;
}

export function writeEnvironmentWorkspace(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}
