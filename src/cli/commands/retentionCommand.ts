import { readFile, writeFile } from 'node:fs/promises';
import { basename, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ruleFor } from '../../core/promote/gates';
import { OciLayoutRegistry } from '../../core/registry/ociLayout';
import type { RegistryBackend } from '../../core/registry/types';
import { applyRetention, GARBAGE_COLLECTION_REMINDER } from '../../core/retention/apply';
import type { ApplyResult } from '../../core/retention/apply';
import { describePlan, describeResult, describeUnreadable } from '../../core/retention/describe';
import { toEcrPolicy, toGarPolicies } from '../../core/retention/export';
import { readInventories } from '../../core/retention/inventory';
import type { PolicyFormat, RetentionPolicy } from '../../core/retention/model';
import { planRetention, retentionPlanJson } from '../../core/retention/plan';
import type { RetentionPlan } from '../../core/retention/plan';
import { readStewardRetention } from '../../core/retention/policies/steward';
import { PolicyError } from '../../core/retention/policyError';
import { policyFrom, POLICY_FORMATS, readPolicyFile } from '../../core/retention/policyFile';
import { scanWorkspace } from '../../core/retention/protection';
import { toPosix } from '../../core/workspace/walk';
import { configFor } from '../check';
import { registryAccess, splitLayoutArgument, splitRegistryArgument } from '../registryAccess';
import { REGISTRY_OPTIONS } from '../registryFlags';
import { inert } from '../terminalText';
import { oneOf, print, UsageError } from '../usage';

type Loaded = Awaited<ReturnType<typeof configFor>>;

/** `--policy <file>` in any of the four languages, else `retention:` of .steward.yaml. */
async function loadPolicy(file: string | undefined, format: PolicyFormat | undefined, loaded: Loaded): Promise<RetentionPolicy> {
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--policy ${file}: ${(error as Error).message}`);
    }
    return readPolicyFile(text, file, format);
  }
  if (loaded.config.retention === undefined) throw new UsageError(`no --policy given and ${loaded.file ?? '.steward.yaml'} has no retention rules`);
  return policyFrom({ retention: loaded.config.retention }, loaded.file ?? '.steward.yaml', 'steward');
}

async function plan(values: Record<string, unknown>, positionals: readonly string[], open: (registry: string) => RegistryBackend): Promise<{ plan: RetentionPlan; backend: RegistryBackend }> {
  if (positionals.length !== 1) throw new UsageError('retention plan and apply take one <registry>[/<repository>] (or oci:DIR)');
  const cwd = process.cwd();
  const loaded = await configFor(cwd, values['config-root'] as string | undefined);
  if (loaded.error) throw new UsageError(`${loaded.error.file}: ${loaded.error.key}: ${loaded.error.message}`);
  const format = values.format === undefined ? undefined : oneOf<PolicyFormat>(values.format as string, POLICY_FORMATS, 'format');
  const policy = await loadPolicy(values.policy as string | undefined, format, loaded);
  const now = values.now === undefined ? Date.now() : Date.parse(values.now as string);
  if (Number.isNaN(now)) throw new UsageError(`--now must be a date and time such as 2026-01-31T12:00:00Z (got "${values.now}")`);
  const layout = splitLayoutArgument(positionals[0]!);
  let backend: RegistryBackend;
  let repository: string | undefined;
  if (layout) {
    const dir = resolve(layout.dir);
    backend = new OciLayoutRegistry(dir);
    repository = basename(dir);
  } else {
    const target = splitRegistryArgument(positionals[0]!);
    backend = open(target.registry);
    repository = target.repository;
  }
  const workspace = (values.workspace as string[] | undefined) ?? ['.'];
  const isExcluded = (path: string) => loaded.config.isExcluded(toPosix(relative(loaded.root, path)));
  const scanned = await scanWorkspace(workspace.map((path) => resolve(cwd, path)), isExcluded);
  let current = '';
  const onProgress = process.stderr.isTTY ? (done: number, total: number) => process.stderr.write(`\r\x1b[Kreading ${current}: ${done}/${total} tags`) : undefined;
  const inventories = await readInventories(backend, repository, { onRepository: (name) => { current = name; }, ...(onProgress ? { onProgress } : {}) });
  if (onProgress) process.stderr.write('\r\x1b[K');
  const immutableTags = (registry: string, name: string) => ruleFor(loaded.config.promotionRules, `${registry}/${name}`)?.immutableTags ?? [];
  return { plan: planRetention(inventories, policy, { ...scanned, immutableTags }, now), backend };
}

async function exportPolicy(values: Record<string, unknown>): Promise<number> {
  const to = oneOf<'ecr' | 'gar'>((values.to as string | undefined) ?? '', ['ecr', 'gar'], 'to');
  const loaded = await configFor(process.cwd(), values['config-root'] as string | undefined);
  if (loaded.error) throw new UsageError(`${loaded.error.file}: ${loaded.error.key}: ${loaded.error.message}`);
  let data: unknown = loaded.config.retention;
  let file = loaded.file ?? '.steward.yaml';
  if (values.policy) {
    file = values.policy as string;
    const { parse } = await import('yaml');
    const parsed = parse(await readFile(file, 'utf8')) as { retention?: unknown } | null;
    data = parsed?.retention ?? parsed ?? undefined;
  }
  if (data === undefined) throw new UsageError(`${file} has no retention rules to export (export reads .steward.yaml's retention: form)`);
  const retention = readStewardRetention(data, file);
  const repository = values.repository as string | undefined;
  const exported = to === 'ecr' ? toEcrPolicy(retention, repository) : toGarPolicies(retention, repository);
  const json = `${JSON.stringify(exported.policy, null, 2)}\n`;
  if (values.output) await writeFile(values.output as string, json);
  else await print(json);
  for (const note of exported.notes) process.stderr.write(`note: ${note}\n`);
  return 0;
}

/** `steward retention plan|apply|export`: preview a retention policy against real tags, apply it safely, or export it. */
export async function retentionCommand(args: readonly string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest, allowPositionals: true,
    options: {
      policy: { type: 'string' }, format: { type: 'string' }, json: { type: 'boolean' }, yes: { type: 'boolean' }, workspace: { type: 'string', multiple: true }, 'allow-unreadable': { type: 'boolean' },
      now: { type: 'string' }, to: { type: 'string' }, repository: { type: 'string' }, output: { type: 'string' }, 'config-root': { type: 'string' }, ...REGISTRY_OPTIONS,
    },
  });
  if (action === 'export') return exportPolicy(values);
  if (action !== 'plan' && action !== 'apply') throw new UsageError('retention takes plan, apply or export');
  const access = registryAccess(values);
  try {
    const { plan: retentionPlan, backend } = await plan(values, positionals, (registry) => access.open(registry));
    const deletes = retentionPlan.repositories.reduce((sum, repository) => sum + repository.deletes, 0);
    const allowUnreadable = values['allow-unreadable'] === true;
    let refusal: string | undefined;
    if (action === 'apply' && deletes > 0) {
      if (!values.yes) refusal = `this deletes ${deletes} digest(s) with every tag on them: run again with --yes to apply`;
      else if (retentionPlan.unreadable.length > 0 && !allowUnreadable) refusal = `${describeUnreadable(retentionPlan.unreadable)}. Fix them, or run again with --allow-unreadable to delete without their protection`;
    }
    if (action === 'plan' || deletes === 0 || refusal) {
      if (values.json) await print(`${JSON.stringify({ plan: retentionPlanJson(retentionPlan) }, null, 2)}\n`);
      else await print(inert(describePlan(retentionPlan)));
      if (refusal) {
        process.stderr.write(`steward: nothing deleted; ${inert(refusal)}.\n`);
        return 2;
      }
      return 0;
    }
    if (!values.json) await print(inert(describePlan(retentionPlan)));
    const results: ApplyResult[] = [];
    let failure: Error | undefined;
    try {
      await applyRetention(retentionPlan, () => backend, { allowUnreadable, onResult: (result) => { results.push(result); if (!values.json) process.stdout.write(`${inert(describeResult(result))}\n`); } });
    } catch (error) {
      failure = error as Error;
    }
    if (values.json) await print(`${JSON.stringify({ plan: retentionPlanJson(retentionPlan), results }, null, 2)}\n`);
    const count = (outcome: ApplyResult['outcome']) => results.filter((result) => result.outcome === outcome).length;
    process.stderr.write(`${count('deleted')} deleted, ${count('already gone')} already gone, ${count('skipped')} skipped${failure ? `; stopped at the first failure: ${failure.message}` : ''}.\n${GARBAGE_COLLECTION_REMINDER}\n`);
    return failure ? 1 : 0;
  } catch (error) {
    if (error instanceof PolicyError) throw new UsageError(error.message);
    throw error;
  } finally {
    await access.close();
  }
}
