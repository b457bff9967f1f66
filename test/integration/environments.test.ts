import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveEnvironments } from '../../src/core/environments/environments';
import { GateStateCache } from '../../src/core/environments/gateState';
import { planNextEnvironmentEdits, planNextEnvironmentPromotion } from '../../src/core/environments/promoteNext';
import { environmentStatus, ResolutionCache } from '../../src/core/environments/status';
import type { EnvironmentStatus } from '../../src/core/environments/status';
import { formatAge } from '../../src/core/formatAge';
import { parseConfigFile } from '../../src/core/lint/config';
import { applyReferenceUpdates } from '../../src/core/promote/gitops';
import { noCredentials } from '../../src/core/registry/auth';
import { HttpRegistry } from '../../src/core/registry/httpRegistry';
import { Transport } from '../../src/core/registry/transport';
import { environmentWorkspaceFiles, pushEnvironmentImages, writeEnvironmentWorkspace } from './environmentsWorkspace';
import { attachSbom } from './fixtures';
import type { EnvironmentDigests } from './environmentsWorkspace';
import { startRegistry } from './registryServer';
import type { RunningRegistry } from './registryServer';
import { stewardIn } from './stewardCli';

const root = mkdtempSync(join(tmpdir(), 'steward-environments-'));
const steward = stewardIn(root);

/** Every file of a folder with its text, to prove an edit touched nothing else. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

describe('environments: what runs where, drift, and Promote to next environment (a real docker-registry)', () => {
  let registry: RunningRegistry;
  let digests: EnvironmentDigests;
  let host: string;
  let transport: Transport;
  const workspace = join(root, 'workspace');

  before(async () => {
    registry = await startRegistry('plain', join(root, 'registry'));
    host = registry.host;
    digests = await pushEnvironmentImages(registry, join(root, 'registry', 'data'), join(root, 'layouts'));
    writeEnvironmentWorkspace(workspace, environmentWorkspaceFiles(host, digests, { configured: true }));
    transport = new Transport({ backoffMs: 5, maxWaitMs: 50 });
  });
  after(async () => {
    await transport.close();
    await registry.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function coreStatus(dir: string): Promise<EnvironmentStatus> {
    const files = environmentWorkspaceFiles(host, digests, { configured: true });
    const config = parseConfigFile(readFileSync(join(dir, '.steward.yaml'), 'utf8'), '.steward.yaml');
    assert.ok(config.data, config.error?.message);
    const texts = new Map(Object.entries(files).filter(([path]) => path.endsWith('.yaml') && !path.startsWith('.')).map(([path]) => [path, readFileSync(join(dir, path), 'utf8')]));
    const open = (name: string) => new HttpRegistry(name, transport, noCredentials);
    return environmentStatus({ environments: resolveEnvironments(config.data.environments!), files: texts, cache: new ResolutionCache(open) });
  }

  /** Every row as `repository | environment | tag | digest | file:line`. */
  const expectedRows = () => [
    `${host}/other/migrate | prod | 1.0.0 | ${digests['other/migrate:1.0.0']} | jobs/prod/migrate.yaml:9`,
    `${host}/team/api | staging | 1.3.0 | ${digests['team/api:1.3.0']} | overlays/staging/kustomization.yaml:5`,
    `${host}/team/api | prod | 1.2.0 | ${digests['team/api:1.2.0']} | overlays/prod/kustomization.yaml:5`,
    `${host}/team/cache | staging | 1.0.0 | ${digests['team/cache:1.0.0']} | compose/staging/compose.yaml:3`,
    `${host}/team/cache | prod | 0.9.0 | ${digests['team/cache:0.9.0']} | compose/prod/compose.yaml:3`,
    `${host}/team/migrate | staging | 1.0.0 | ${digests['team/migrate:1.0.0']} | jobs/staging/migrate.yaml:9`,
    `${host}/team/proxy | staging | 2.0.0 | ${digests['team/proxy:2.0.0']} | base/deployment.yaml:12`,
    `${host}/team/proxy | prod | 2.0.0 | ${digests['team/proxy:2.0.0']} | base/deployment.yaml:12`,
    `${host}/team/worker | staging | 2.1.0 | ${digests['team/worker:2.1.0']} | helm/values-staging.yaml:5`,
    `${host}/team/worker | prod | 2.0.0 | ${digests['team/worker:2.0.0-old']} | helm/values-prod.yaml:3`,
  ];

  const expectedDrift = () => [
    `registry-not-allowed prod jobs/prod/migrate.yaml:9: prod pulls ${host}/other/migrate, outside its registries (${host}/team/)`,
    `ahead staging→prod overlays/prod/kustomization.yaml:5: staging is ahead of prod: staging runs 1.3.0 (${digests['team/api:1.3.0']!.slice(0, 19)}…), prod runs 1.2.0 (${digests['team/api:1.2.0']!.slice(0, 19)}…)`,
    `tag-gone prod compose/prod/compose.yaml:3: prod runs ${digests['team/cache:0.9.0']!.slice(0, 19)}…, which no longer has its tag 0.9.0 (the tag is gone from ${host}/team/cache)`,
    `ahead staging→prod compose/prod/compose.yaml:3: staging is ahead of prod: staging runs 1.0.0 (${digests['team/cache:1.0.0']!.slice(0, 19)}…), prod runs 0.9.0 (${digests['team/cache:0.9.0']!.slice(0, 19)}…)`,
    `tag-moved prod helm/values-prod.yaml:3: prod pins 2.0.0@${digests['team/worker:2.0.0-old']!.slice(0, 19)}…, but 2.0.0 now points at ${digests['team/worker:2.0.0']!.slice(0, 19)}… (the tag moved)`,
    `ahead staging→prod helm/values-prod.yaml:3: staging is ahead of prod: staging runs 2.1.0 (${digests['team/worker:2.1.0']!.slice(0, 19)}…), prod runs 2.0.0 (${digests['team/worker:2.0.0-old']!.slice(0, 19)}…)`,
  ];

  it('the model: every repository, what each environment deploys (overlays rendered over the base, Helm values and Compose per environment), and each drift', async () => {
    const status = await coreStatus(workspace);
    assert.deepEqual(status.problems, []);
    assert.deepEqual(status.repositories.flatMap((repository) => repository.rows.map((row) => `${repository.repository} | ${row.environment} | ${row.tag} | ${row.digest} | ${row.file}:${row.line}`)), expectedRows());
    const created = status.repositories.flatMap((repository) => repository.rows.map((row) => row.created));
    assert.deepEqual(created, ['2024-02-21T00:00:00Z', '2024-04-01T00:00:00Z', '2024-03-01T00:00:00Z', '2024-04-20T00:00:00Z', '2023-11-01T00:00:00Z', '2024-02-20T00:00:00Z', '2024-01-15T00:00:00Z', '2024-01-15T00:00:00Z', '2024-04-10T00:00:00Z', '2024-02-01T00:00:00Z']);
    for (const row of status.repositories.flatMap((repository) => repository.rows)) assert.ok(row.resolvedAt && Date.parse(row.resolvedAt) <= Date.now(), 'each answer carries its time');
    assert.deepEqual(status.drift.map((item) => `${item.kind} ${item.environment}${item.next ? `→${item.next}` : ''} ${item.file}:${item.line}: ${item.message}`), expectedDrift());
  });

  it('Promote to next environment (core): edits exactly prod\'s own file for the repository, as text, and refuses a reference prod shares with staging', async () => {
    const status = await coreStatus(workspace);
    const api = planNextEnvironmentPromotion(status, `localhost:${host.split(':')[1]}/team/api`, 'staging');
    assert.ok(!('refused' in api), JSON.stringify(api));
    assert.deepEqual(api.files, ['overlays/prod/kustomization.yaml']);
    const edits = planNextEnvironmentEdits(api, (file) => readFileSync(join(workspace, file), 'utf8'));
    assert.equal(edits.length, 1);
    assert.deepEqual(edits[0]!.plan.updates.map((update) => `${update.line}: ${update.from} → ${update.to}`), [`5: ${host}/team/api:1.2.0@${digests['team/api:1.2.0']} → ${host}/team/api:1.3.0@${digests['team/api:1.3.0']}`]);
    assert.equal(applyReferenceUpdates(edits[0]!.text, edits[0]!.plan.updates), ['resources:', '  - ../../base', 'images:', `  - name: ${host}/team/api`, '    newTag: 1.3.0', `    digest: ${digests['team/api:1.3.0']}`, ''].join('\n'));

    const worker = planNextEnvironmentPromotion(status, `localhost:${host.split(':')[1]}/team/worker`, 'staging');
    assert.ok(!('refused' in worker));
    const [values] = planNextEnvironmentEdits(worker, (file) => readFileSync(join(workspace, file), 'utf8'));
    // prod's values file sets only the tag and digest over the chart's values.yaml: those lines change, in prod's file.
    assert.equal(values!.file, 'helm/values-prod.yaml');
    assert.deepEqual(values!.plan.updates.map((update) => `${update.line}: ${update.from} → ${update.to}`), [`3: ${host}/team/worker:2.0.0@${digests['team/worker:2.0.0-old']} → ${host}/team/worker:2.1.0@${digests['team/worker:2.1.0']}`]);
    assert.equal(applyReferenceUpdates(values!.text, values!.plan.updates), ['worker:', '  image:', '    tag: "2.1.0"', `    digest: ${digests['team/worker:2.1.0']}`, ''].join('\n'));

    const proxy = planNextEnvironmentPromotion(status, `localhost:${host.split(':')[1]}/team/proxy`, 'staging');
    assert.ok('refused' in proxy);
    assert.match(proxy.refused, /^prod's .*team\/proxy:2\.0\.0 is written in base\/deployment\.yaml:12, which is not one of prod's files/);
    const last = planNextEnvironmentPromotion(status, `localhost:${host.split(':')[1]}/team/api`, 'prod');
    assert.deepEqual(last, { refused: 'prod is the last environment: there is none to promote to' });
  });

  it('steward status prints the table and the drift; --json holds the same; --check exits 1', async () => {
    const text = await steward(['status'], workspace);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stderr, '');
    const [heading, blank, header, ...rest] = text.stdout.split('\n');
    assert.equal(heading, `Environments: staging → prod (production) — from ${join(workspace, '.steward.yaml')}`);
    assert.equal(blank, '');
    assert.deepEqual(header!.split(/ {2,}/), ['REPOSITORY', 'ENVIRONMENT', 'TAG', 'DIGEST', 'AGE', 'WHERE']);
    const now = Date.now();
    const age = (date: string) => formatAge(date, now)!;
    const tableRows = rest.slice(0, 10).map((line) => line.split(/ {2,}/));
    const rows = expectedRows().map((row) => row.split(' | '));
    const ages = ['2024-02-21', '2024-04-01', '2024-03-01', '2024-04-20', '2023-11-01', '2024-02-20', '2024-01-15', '2024-01-15', '2024-04-10', '2024-02-01'].map((day) => age(`${day}T00:00:00Z`));
    assert.deepEqual(tableRows, rows.map(([repository, environment, tag, digest, where], index) => [
      index === 0 || rows[index - 1]![0] !== repository ? repository! : '', environment!, tag!, digest!.slice(0, 19), ages[index]!, where!,
    ]));
    assert.deepEqual(rest.slice(10), ['', 'Drift (6):', ...expectedDrift().map((line) => {
      const [, kind, where, message] = /^(\S+) \S+ (\S+): (.*)$/.exec(line)!;
      return `  ${where}: ${kind}: ${message}`;
    }), '']);

    const json = JSON.parse((await steward(['status', '--json'], workspace)).stdout) as { environments: unknown[]; repositories: { repository: string; rows: { environment: string; digest: string; file: string; line: number; reference: string }[] }[]; drift: { kind: string }[] };
    assert.deepEqual(json.environments, [
      { name: 'staging', paths: ['overlays/staging/**', 'helm/values-staging.yaml', 'compose/staging/**', 'jobs/staging/**'], production: false, inferred: false },
      { name: 'prod', paths: ['overlays/prod/**', 'helm/values-prod.yaml', 'compose/prod/**', 'jobs/prod/**'], production: true, registries: [`${host}/team/`], inferred: false },
    ]);
    assert.equal(json.repositories.flatMap((repository) => repository.rows).length, 10);
    assert.equal(json.repositories[1]!.rows[0]!.reference, `${host}/team/api:1.3.0`);
    assert.deepEqual(json.drift.map((item) => item.kind), ['registry-not-allowed', 'ahead', 'tag-gone', 'ahead', 'tag-moved', 'ahead']);

    const check = await steward(['status', '--check'], workspace);
    assert.equal(check.code, 1);
  });

  it('without environments: in .steward.yaml they are inferred from the layout, and it says so', async () => {
    const inferred = join(root, 'inferred');
    writeEnvironmentWorkspace(inferred, environmentWorkspaceFiles(host, digests, { configured: false }));
    const run = await steward(['status', '--json'], inferred);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { environments: { name: string; paths: string[]; production: boolean; inferred: boolean }[]; inferredFrom: string[] };
    assert.deepEqual(json.environments, [
      { name: 'staging', paths: ['helm/values-staging.yaml', 'overlays/staging/**'], production: false, inferred: true },
      { name: 'prod', paths: ['helm/values-prod.yaml', 'overlays/prod/**'], production: true, inferred: true },
    ]);
    assert.deepEqual(json.inferredFrom.sort(), ['overlays/<env>', 'values-<env>.yaml']);
    const text = await steward(['status'], inferred);
    assert.match(text.stdout, /^Environments: staging → prod \(production\) — inferred from overlays\/<env>, values-<env>\.yaml; list them under environments: in \.steward\.yaml to set their order and files$/m);
  });

  it('steward status --promote: gates first, then exactly prod\'s own files change (exact text), nothing else; --dry-run changes nothing', async () => {
    const work = join(root, 'promote');
    cpSync(workspace, work, { recursive: true });
    const before = snapshot(work);
    const dry = await steward(['status', '--promote', `${host}/team/api`, '--from', 'staging', '--dry-run'], work);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`^Promote staging → prod: ${host.replace(/\./g, '\\.')}/team/api:1\\.3\\.0 \\(sha256:[0-9a-f]{12}…\\) in overlays/prod/kustomization\\.yaml$`, 'm'));
    assert.match(dry.stdout, /^-    newTag: 1\.2\.0$/m);
    assert.deepEqual(snapshot(work), before, '--dry-run changes no file');

    const real = await steward(['status', '--promote', `${host}/team/api`, '--from', 'staging', '--json'], work);
    assert.equal(real.code, 0, real.stderr);
    const result = JSON.parse(real.stdout) as { to: string; gates: unknown[]; manifests: { file: string; line: number; from: string; to: string }[] };
    assert.equal(result.to, 'prod');
    assert.deepEqual(result.gates, []);
    assert.deepEqual(result.manifests, [{ file: 'overlays/prod/kustomization.yaml', line: 5, from: `${host}/team/api:1.2.0@${digests['team/api:1.2.0']}`, to: `${host}/team/api:1.3.0@${digests['team/api:1.3.0']}` }]);
    const after = snapshot(work);
    const changed = [...after].filter(([path, text]) => before.get(path) !== text).map(([path]) => path);
    assert.deepEqual(changed, ['overlays/prod/kustomization.yaml']);
    assert.equal(after.get('overlays/prod/kustomization.yaml'), ['resources:', '  - ../../base', 'images:', `  - name: ${host}/team/api`, '    newTag: 1.3.0', `    digest: ${digests['team/api:1.3.0']}`, ''].join('\n'));
    const status = JSON.parse((await steward(['status', '--json'], work)).stdout) as { drift: { kind: string; repository: string }[] };
    assert.equal(status.drift.filter((item) => item.repository === `${host}/team/api`).length, 0, 'staging and prod now run one digest of api');

    const shared = await steward(['status', '--promote', `${host}/team/proxy`, '--from', 'staging'], work);
    assert.equal(shared.code, 1);
    assert.match(shared.stderr, /refused: prod's .* is written in base\/deployment\.yaml:12, which is not one of prod's files/);
    assert.deepEqual(snapshot(work), after, 'a refused promotion changes nothing');

    // prod's Helm values set only the tag and digest over the chart's values.yaml: exactly those lines move.
    const layered = await steward(['status', '--promote', `${host}/team/worker`, '--from', 'staging', '--json'], work);
    assert.equal(layered.code, 0, layered.stderr);
    assert.deepEqual((JSON.parse(layered.stdout) as { manifests: unknown[] }).manifests, [{ file: 'helm/values-prod.yaml', line: 3, from: `${host}/team/worker:2.0.0@${digests['team/worker:2.0.0-old']}`, to: `${host}/team/worker:2.1.0@${digests['team/worker:2.1.0']}` }]);
    const changedByWorker = [...snapshot(work)].filter(([path, text]) => after.get(path) !== text).map(([path, text]) => [path, text]);
    assert.deepEqual(changedByWorker, [['helm/values-prod.yaml', ['worker:', '  image:', '    tag: "2.1.0"', `    digest: ${digests['team/worker:2.1.0']}`, ''].join('\n')]]);
  });

  it('a gate of the target refuses before any file changes', async () => {
    const work = join(root, 'gated');
    cpSync(workspace, work, { recursive: true });
    const config = readFileSync(join(work, '.steward.yaml'), 'utf8');
    const gated = `${config}promotion:\n  targets:\n    - match: "${host}/team/api"\n      gates:\n        labels: [org.opencontainers.image.source]\n`;
    writeEnvironmentWorkspace(work, { '.steward.yaml': gated });
    const before = snapshot(work);
    const run = await steward(['status', '--promote', `${host}/team/api`, '--from', 'staging'], work);
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stdout, /^ {2}gate FAILED {2}labels: the image config lacks org\.opencontainers\.image\.source$/m);
    assert.match(run.stdout, /^Refused: the gates of prod failed; nothing was changed\.$/m);
    assert.deepEqual(snapshot(work), before);
  });

  it('gate state per row: the digest staging runs passes the sbom gate of team/api, the one prod runs fails it, with why; steward status --gates says the same', async () => {
    const work = join(root, 'judged');
    cpSync(workspace, work, { recursive: true });
    const config = readFileSync(join(work, '.steward.yaml'), 'utf8');
    writeEnvironmentWorkspace(work, { '.steward.yaml': `${config}promotion:\n  targets:\n    - match: "${host}/team/api"\n      gates:\n        sbom: true\n` });
    const client = new HttpRegistry(host, transport, noCredentials);
    await attachSbom(registry, 'team/api', await client.resolve('team/api', '1.3.0'), JSON.stringify({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'api', packages: [] }));

    const status = await coreStatus(work);
    const rules = [{ match: `${host}/team/api`, gates: { sbom: true } }];
    const cache = new GateStateCache((name) => new HttpRegistry(name, transport, noCredentials));
    const [staging, prod] = status.repositories.find((repository) => repository.repository === `${host}/team/api`)!.rows;
    assert.equal(cache.peek(rules, staging!), undefined, 'not judged before it is asked');
    const judging = cache.stateOf(rules, staging!);
    assert.equal(cache.stateOf(rules, staging!), judging, 'one judgement per digest');
    const passed = await judging;
    assert.equal(passed.state, 'pass');
    assert.equal(cache.peek(rules, staging!), passed, 'remembered once judged');
    assert.deepEqual(passed.state === 'pass' && passed.results.map((result) => `${result.gate} ${result.pass}`), ['sbom true']);
    assert.deepEqual(await cache.stateOf(rules, prod!), { state: 'fail', match: `${host}/team/api`, results: [{ gate: 'sbom', pass: false, detail: 'no SBOM is attached to the image (Generate SBOM, then attach it)' }] });
    const cacheRow = status.repositories.find((repository) => repository.repository === `${host}/team/cache`)!.rows[0]!;
    assert.deepEqual(await cache.stateOf(rules, cacheRow), { state: 'none' }, 'no promotion target with gates matches team/cache');
    // A registry that does not answer: unknown, with why, and asked again next time.
    const unreachable = { ...staging!, parsed: { ...staging!.parsed, domain: '127.0.0.1:1' } };
    const unknownRules = [{ match: '127.0.0.1:1/team/api', gates: { sbom: true } }];
    const unknown = await cache.stateOf(unknownRules, unreachable);
    assert.equal(unknown.state, 'unknown');
    assert.match(unknown.state === 'unknown' ? unknown.reason : '', /^the gates could not be judged: /);
    assert.equal(cache.peek(unknownRules, unreachable), undefined, 'a failure is not remembered');

    const json = await steward(['status', '--json', '--gates'], work);
    assert.equal(json.code, 0, json.stderr);
    const rows = (JSON.parse(json.stdout) as { repositories: { repository: string; rows: { environment: string; gates: { state: string; results?: { gate: string; pass: boolean }[] } }[] }[] }).repositories
      .flatMap((repository) => repository.rows.map((row) => `${repository.repository} ${row.environment} ${row.gates.state}${row.gates.results ? ` ${row.gates.results.map((result) => `${result.gate}:${result.pass}`).join(',')}` : ''}`));
    assert.deepEqual(rows, expectedRows().map((row) => {
      const [repository, environment] = row.split(' | ');
      return repository === `${host}/team/api` ? `${repository} ${environment} ${environment === 'staging' ? 'pass sbom:true' : 'fail sbom:false'}` : `${repository} ${environment} none`;
    }));
    const plain = JSON.parse((await steward(['status', '--json'], work)).stdout) as { repositories: { rows: object[] }[] };
    assert.ok(plain.repositories.every((repository) => repository.rows.every((row) => !('gates' in row))), 'no gates field without --gates');

    const text = await steward(['status', '--gates'], work);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.split('\n');
    assert.deepEqual(lines[2]!.split(/ {2,}/), ['REPOSITORY', 'ENVIRONMENT', 'TAG', 'DIGEST', 'AGE', 'GATES', 'WHERE']);
    assert.deepEqual(lines.slice(3, 13).map((line) => line.split(/ {2,}/).at(-2)), ['-', 'passed', 'FAILED', '-', '-', '-', '-', '-', '-', '-']);
    const judged = lines.slice(lines.indexOf('Gates:'));
    assert.equal(judged.length, 6, judged.join('\n'));
    assert.equal(judged[1], `  overlays/staging/kustomization.yaml:5: staging: ${host}/team/api: gates of ${host}/team/api passed`);
    assert.match(judged[2]!, /^ {4}passed {2}sbom: SBOM attached \(.*\)$/);
    assert.deepEqual(judged.slice(3), [`  overlays/prod/kustomization.yaml:5: prod: ${host}/team/api: gates of ${host}/team/api FAILED`, '    FAILED  sbom: no SBOM is attached to the image (Generate SBOM, then attach it)', '']);
  });
});
