import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { workspaceEnvironments } from '../../core/environments/environments';
import { describeGateState, GateStateCache } from '../../core/environments/gateState';
import type { GateState } from '../../core/environments/gateState';
import { checkNextEnvironmentGates, describeNextEnvironmentPromotion, layeredBases, planNextEnvironmentPromotion } from '../../core/environments/promoteNext';
import { environmentStatus, ResolutionCache, shortDigest } from '../../core/environments/status';
import type { EnvironmentRow, EnvironmentStatus } from '../../core/environments/status';
import { readWorkspaceYaml } from '../../core/environments/workspaceFiles';
import { mapLimited } from '../../core/concurrency';
import { formatAge } from '../../core/formatAge';
import type { PromotionTargetRule } from '../../core/promote/gates';
import { parseReference } from '../../core/reference/parse';
import { normalizeRegistryHost } from '../../core/reference/registryHost';
import type { RegistryBackend } from '../../core/registry/types';
import { configFor } from '../check';
import { registryAccess } from '../registryAccess';
import { REGISTRY_OPTIONS } from '../registryFlags';
import { inert } from '../terminalText';
import { print, UsageError } from '../usage';
import { planManifestUpdates, writeManifestUpdates } from './manifestUpdates';

const GATE_WORDS: Record<GateState['state'], string> = { none: '-', pass: 'passed', fail: 'FAILED', unknown: 'unknown' };

/** Columns padded to their widest cell; the repository is written on its first row only; `GATES` with --gates. */
function table(status: EnvironmentStatus, now: number, gates: ReadonlyMap<EnvironmentRow, GateState> | undefined): string {
  const rows = [['REPOSITORY', 'ENVIRONMENT', 'TAG', 'DIGEST', 'AGE', ...(gates ? ['GATES'] : []), 'WHERE']];
  for (const repository of status.repositories) {
    repository.rows.forEach((row, index) => rows.push([
      index === 0 ? repository.repository : '', row.environment, row.tag ?? '-', row.digest ? shortDigest(row.digest) : '?',
      row.created ? formatAge(row.created, now) ?? '-' : '-', ...(gates ? [GATE_WORDS[gates.get(row)!.state]] : []), `${row.file}:${row.line}`,
    ]));
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n');
}

function describeEnvironments(status: EnvironmentStatus, inferredFrom: readonly string[] | undefined, configFile: string | undefined): string {
  const names = status.environments.map((environment) => `${environment.name}${environment.production ? ' (production)' : ''}`).join(' → ');
  if (inferredFrom) return `Environments: ${names || 'none'} — inferred from ${inferredFrom.join(', ') || 'no known layout'}; list them under environments: in .steward.yaml to set their order and files`;
  return `Environments: ${names} — from ${configFile ?? '.steward.yaml'}`;
}

/** `host/path` as the status groups it: the host in its one spelling. */
function repositoryKey(argument: string): string {
  const parsed = parseReference(argument);
  if (!parsed.ok || parsed.reference.tag || parsed.reference.digest) throw new UsageError(`--promote takes a repository (host/path, no tag or digest); got "${argument}"`);
  return `${normalizeRegistryHost(parsed.reference.domain)}/${parsed.reference.path}`;
}

/** `steward status`: the environments table and its drift; `--promote` moves one repository on to the next environment. */
export async function statusCommand(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { json: { type: 'boolean' }, check: { type: 'boolean' }, gates: { type: 'boolean' }, promote: { type: 'string' }, from: { type: 'string' }, 'allow-downgrade': { type: 'boolean' }, 'dry-run': { type: 'boolean' }, 'config-root': { type: 'string' }, ...REGISTRY_OPTIONS },
  });
  if ((values.promote === undefined) !== (values.from === undefined)) throw new UsageError('--promote and --from go together');
  if (values.promote === undefined && (values['dry-run'] || values['allow-downgrade'])) throw new UsageError('--dry-run and --allow-downgrade go with --promote');
  if (values.promote !== undefined && values.gates) throw new UsageError('--gates does not go with --promote, which checks the gates of the next environment itself');
  // Checked before anything is read or asked.
  const promoteKey = values.promote === undefined ? undefined : repositoryKey(values.promote);
  const cwd = process.cwd();
  const loaded = await configFor(cwd, values['config-root']);
  if (loaded.error) {
    process.stderr.write(`steward: ${loaded.error.file}${loaded.error.position ? `:${loaded.error.position.line + 1}:${loaded.error.position.character + 1}` : ''}: ${loaded.error.key}: ${inert(loaded.error.message)}\n`);
    return 2;
  }
  const { files, unreadable } = await readWorkspaceYaml(loaded.root, loaded.config.isExcluded);
  const { environments, inferredFrom } = workspaceEnvironments(loaded.config.environments, files.keys());
  const access = registryAccess(values);
  try {
    const status = await environmentStatus({ environments, files, cache: new ResolutionCache((registry) => access.open(registry)) });
    const problems = [...unreadable, ...status.problems];
    for (const problem of problems) process.stderr.write(`steward: ${inert(problem.file)}: ${inert(problem.message)}\n`);
    if (promoteKey !== undefined) return await promote(status, promoteKey, values.from!, { loaded, cwd, access, json: values.json === true, dryRun: values['dry-run'] === true, allowDowngrade: values['allow-downgrade'] === true });
    const gates = values.gates ? await rowGates(status, loaded.config.promotionRules, access.open, loaded.root) : undefined;
    const gatesFailed = [...(gates?.values() ?? [])].some((state) => state.state === 'fail' || state.state === 'unknown');
    if (values.json) {
      await print(`${JSON.stringify({
        environments: status.environments.map(({ name, paths, production, registries, inferred }) => ({ name, paths, production, ...(registries ? { registries } : {}), inferred })),
        ...(inferredFrom ? { inferredFrom } : {}),
        repositories: status.repositories.map((repository) => ({ repository: repository.repository, rows: repository.rows.map((row) => {
          const { parsed, repositoryKey: key, ...written } = row;
          return { ...written, ...(gates ? { gates: gates.get(row) } : {}) };
        }) })),
        drift: status.drift, problems,
      }, null, 2)}\n`);
    } else {
      const drift = status.drift.map((item) => `  ${item.file}:${item.line}: ${item.kind}: ${item.message}\n`).join('');
      // Names, paths and messages come from the workspace and the registries: printed inert.
      const judged = gates ? gateLines(status, gates) : '';
      await print(inert(`${describeEnvironments(status, inferredFrom, loaded.file)}\n\n${status.repositories.length > 0 ? table(status, Date.now(), gates) : 'No environment deploys an image.'}\n\n${status.drift.length > 0 ? `Drift (${status.drift.length}):\n${drift}` : 'No drift.\n'}${judged}`));
    }
    return values.check && (status.drift.length > 0 || gatesFailed) ? 1 : 0;
  } finally {
    await access.close();
  }
}

/** Each row's digest judged by the gates of its repository's promotion target, four images at a time. */
async function rowGates(status: EnvironmentStatus, rules: readonly PromotionTargetRule[], open: (registry: string) => RegistryBackend, configRoot: string): Promise<Map<EnvironmentRow, GateState>> {
  const cache = new GateStateCache(open);
  const rows = status.repositories.flatMap((repository) => repository.rows);
  const states = await mapLimited(rows, 4, (row) => cache.stateOf(rules, row, { configRoot }));
  return new Map(rows.map((row, index) => [row, states[index]!]));
}

/** The gates judged, per row with gates: `file:line: env: gates of … FAILED` and each gate's result. */
function gateLines(status: EnvironmentStatus, gates: ReadonlyMap<EnvironmentRow, GateState>): string {
  const lines = status.repositories.flatMap((repository) => repository.rows.flatMap((row) => {
    const [heading, ...results] = describeGateState(gates.get(row)!);
    return heading ? [`  ${row.file}:${row.line}: ${row.environment}: ${repository.repository}: ${heading}`, ...results.map((result) => `  ${result}`)] : [];
  }));
  return lines.length > 0 ? `\nGates:\n${lines.join('\n')}\n` : '\nGates: no promotion target with gates matches a deployed repository.\n';
}

interface PromoteContext {
  readonly loaded: Awaited<ReturnType<typeof configFor>>;
  readonly cwd: string;
  readonly access: ReturnType<typeof registryAccess>;
  readonly json: boolean;
  readonly dryRun: boolean;
  readonly allowDowngrade: boolean;
}

/** Gates of the target first, then the GitOps edit of the next environment's files (nothing else). */
async function promote(status: EnvironmentStatus, key: string, from: string, context: PromoteContext): Promise<number> {
  const plan = planNextEnvironmentPromotion(status, key, from);
  if ('refused' in plan) {
    process.stderr.write(`steward: promote ${key} from ${from} refused: ${inert(plan.refused)}\n`);
    return 1;
  }
  const gates = await checkNextEnvironmentGates(plan, context.loaded.config.promotionRules, context.access.open, { configRoot: context.loaded.root });
  const failed = gates.filter((gate) => !gate.pass);
  const updates = failed.length > 0 ? undefined : await planManifestUpdates(plan.files.map((file) => join(context.loaded.root, file)), context.cwd, plan.promoted, { allowDowngrade: context.allowDowngrade, updateSourceReferences: false }, new Map([...layeredBases(plan)].map(([file, base]) => [join(context.loaded.root, file), join(context.loaded.root, base)])));
  if (updates && !context.dryRun) await writeManifestUpdates(updates, context.cwd);
  if (context.json) {
    await print(`${JSON.stringify({ from: plan.from, to: plan.to, reference: plan.promoted.reference, files: plan.files, gates, dryRun: context.dryRun, ...(updates ? { manifests: updates.changes, skippedManifests: updates.skipped } : {}) }, null, 2)}\n`);
  } else {
    const lines = [`Promote ${describeNextEnvironmentPromotion(plan)}`, ...gates.map((gate) => `  gate ${gate.pass ? 'passed' : 'FAILED'}  ${gate.gate}: ${gate.detail}`)];
    if (failed.length > 0) lines.push(`Refused: the gates of ${plan.to} failed; nothing was changed.`);
    else if (updates!.changes.length === 0) lines.push(updates!.skipped.length === 0 ? `Nothing to do: ${plan.to} already deploys ${plan.promoted.reference}.` : `Nothing changed: every reference of ${plan.to} was left as it is (below, with why).`);
    await print(inert(`${lines.join('\n')}\n${context.dryRun ? updates?.diff ?? '' : (updates?.changes ?? []).map((change) => `updated ${change.file}:${change.line}: ${change.from} → ${change.to}\n`).join('')}${(updates?.skipped ?? []).map((reference) => `skipped ${reference.file}:${reference.line}: ${reference.from}: ${reference.reason}\n`).join('')}`));
  }
  return failed.length > 0 ? 1 : 0;
}
