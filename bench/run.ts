// `npm run bench`: every number is a ratio against a peer measured in this same run (machines here
// are noisy; absolute times are printed for context only).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { parseAllDocuments } from 'yaml';
import { resolveConfig } from '../src/core/lint/config';
import { lintText } from '../src/core/lint/engine';
import { benchChartTree } from './chartTree';
import { benchCliProcess } from './cliProcess';
import { compare, median, ratio, row } from './measure';
import { benchExplorer } from './explorer';
import { benchRegistry } from './registry';
import { benchReports } from './reports';
import { benchRetention } from './retention';
import { benchVerify } from './verify';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

function multiStageDockerfile(lines: number): string {
  const out = ['# syntax=docker/dockerfile:1', 'ARG BASE=debian:12.5', 'ARG VERSION=1.0.0'];
  for (let stage = 0; out.length < lines; stage += 1) {
    out.push(stage % 3 === 0 ? 'FROM ${BASE} AS s' + stage : `FROM ${stage % 3 === 1 ? 'node:20-alpine' : 's' + (stage - 1)} AS s${stage}`);
    out.push('ARG VERSION', `ENV APP_HOME=/opt/app${stage} PATH=/opt/app${stage}/bin:$PATH`, `WORKDIR /opt/app${stage}`);
    out.push(`COPY --from=busybox:1.36.1 /bin/busybox /bin/busybox`, 'RUN apt-get update && \\', '    apt-get install -y --no-install-recommends curl ca-certificates && \\', '    rm -rf /var/lib/apt/lists/*');
    out.push('LABEL org.opencontainers.image.version=$VERSION \\', `      org.opencontainers.image.title="stage ${stage}" \\`, '      org.opencontainers.image.created=${BUILD_DATE} \\', '      org.label-schema.vcs-url="https://example.com/x"');
    out.push('USER 1000:1000', 'EXPOSE 8080', 'CMD ["/bin/sh"]');
  }
  return out.slice(0, lines).join('\n') + '\n';
}

function kubernetesDocuments(count: number): string {
  return Array.from({ length: count }, (_, index) => [
    'apiVersion: apps/v1', 'kind: Deployment', `metadata: {name: app-${index}, labels: {app: app-${index}}}`, 'spec:', '  replicas: 2',
    '  template:', '    spec:', '      containers:', `        - name: app`, `          image: ghcr.io/acme/app-${index}:${index % 4 === 0 ? 'latest' : '1.2.3'}`,
    '          ports: [{containerPort: 8080}]', '          env: [{name: MODE, value: production}]',
  ].join('\n')).join('\n---\n') + '\n';
}

const config = resolveConfig();

function benchDockerfile(): void {
  const text = multiStageDockerfile(2000);
  const times = compare({
    parse: () => DockerfileParser.parse(text),
    lint: () => lintText('Dockerfile', text, config),
    dockerfileUtils: () => validate(text),
  }, 41, 8); // ~20 ms runs: many rounds, or GC pauses decide the median
  console.log(`Dockerfile: ${text.split('\n').length - 1} lines, ${(text.match(/^FROM /gm) ?? []).length} stages`);
  row('dockerfile-ast parse alone', times.parse!);
  row('steward lint (parse + all rules)', times.lint!, `${ratio(times.lint!, times.parse!)} the bare parse (goal ≤ 1.3×)`);
  row('dockerfile-utils validate', times.dockerfileUtils!, `steward is ${ratio(times.lint!, times.dockerfileUtils!)} of it (goal ≤ 1.0×)`);
}

function benchYaml(): void {
  const text = kubernetesDocuments(5000);
  const times = compare({
    parse: () => parseAllDocuments(text),
    lint: () => lintText('k8s/apps.yaml', text, config),
  }, 7, 2);
  console.log(`\nYAML: 5,000 documents, ${(text.length / 1048576).toFixed(1)} MB`);
  row('yaml parseAllDocuments alone', times.parse!);
  row('steward lint (parse + extraction + rules)', times.lint!, `${ratio(times.lint!, times.parse!)} the bare parse (goal ≤ 1.5×)`);
}

function timeCommand(args: string[], cwd: string): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (result.status !== 0 && result.status !== 1) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
  return performance.now() - start;
}

function benchCli(): void {
  const root = mkdtempSync(join(tmpdir(), 'steward-bench-'));
  try {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const tree = join(root, 'tree');
    const files = 10_000;
    for (let index = 0; index < files; index += 1) {
      const dir = join(tree, `service-${Math.floor(index / 50)}`, index % 2 === 0 ? 'k8s' : 'docker');
      mkdirSync(dir, { recursive: true });
      if (index % 2 === 0) writeFileSync(join(dir, `deploy-${index}.yaml`), kubernetesDocuments(1));
      else writeFileSync(join(dir, `app-${index}.Dockerfile`), multiStageDockerfile(30));
    }
    const nodeStartup = median(Array.from({ length: 7 }, () => timeCommand(['-e', ''], empty)));
    const cliStartup = median(Array.from({ length: 7 }, () => timeCommand([CLI, 'check'], empty)));
    const treeTime = median(Array.from({ length: 3 }, () => timeCommand([CLI, 'check', '--format', 'json'], tree)));
    console.log(`\nCLI (${CLI.replace(ROOT + '/', '')})`);
    row('node -e "" (bare Node start-up)', nodeStartup);
    row('steward check on an empty folder', cliStartup, `${ratio(cliStartup, nodeStartup)} bare Node start-up`);
    row(`steward check on ${files.toLocaleString('en')} files`, treeTime, `${Math.round(files / (treeTime / 1000)).toLocaleString('en')} files/s`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A benchmark in a fresh Node process: copies and network timings must not pay for the heaps the earlier benchmarks left behind. */
function inOwnProcess(module: string): void {
  const result = spawnSync(process.execPath, [join(__dirname, module)], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${module} failed (exit ${result.status})`);
}

const BENCHMARKS: Readonly<Record<string, () => unknown>> = {
  dockerfile: benchDockerfile,
  yaml: benchYaml,
  cli: benchCli,
  'cli-process': benchCliProcess,
  'chart-tree': benchChartTree,
  reports: benchReports,
  registry: () => benchRegistry(row),
  explorer: benchExplorer,
  promote: () => inOwnProcess('promote.js'),
  retention: benchRetention,
  verify: benchVerify,
};

/** `node out/bench/run.js [name…]`: the named benchmarks only (all of them take minutes). */
async function main(): Promise<void> {
  const chosen = process.argv.slice(2);
  const unknown = chosen.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) throw new Error(`no benchmark named ${unknown.join(', ')} (there are: ${Object.keys(BENCHMARKS).join(', ')})`);
  for (const [name, run] of Object.entries(BENCHMARKS)) if (chosen.length === 0 || chosen.includes(name)) await run();
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
