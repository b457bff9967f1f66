import { parseArgs } from 'node:util';
import { describeReplicationItem, executeReplication, planReplication } from '../../core/replicate/replicate';
import type { ReplicationPlan, ReplicationRun } from '../../core/replicate/replicate';
import { configFor } from '../check';
import { registryAccess } from '../registryAccess';
import { REGISTRY_OPTIONS } from '../registryFlags';
import { inert } from '../terminalText';
import { print, UsageError } from '../usage';

function describeFailures(plan: ReplicationPlan): string {
  return plan.failures.map((failure) => `failed: ${failure.message}\n`).join('');
}

function describeRun(run: ReplicationRun): string {
  const lines = run.results.map((result) => {
    const { source, target } = result.item;
    const what = `${source.registry}/${source.repository}:${source.tag} → ${target.registry}/${target.repository}:${target.tag}`;
    return result.outcome === 'copied' ? `copied: ${what} (${source.digest})`
      : result.outcome === 'already-there' ? `already there: ${what}`
      : `${result.outcome}: ${what}: ${result.detail}`;
  });
  const count = (outcome: string) => run.results.filter((result) => result.outcome === outcome).length;
  const { stats } = run;
  lines.push(`${count('copied')} copied, ${count('already-there')} already there, ${count('refused')} refused, ${count('failed')} failed; blobs: ${stats.blobsCopied} copied (${stats.bytesSent} bytes), ${stats.blobsMounted} mounted, ${stats.blobsPresent} already there; ${stats.manifests} manifest(s); ${run.attachmentsCopied} attachment(s)`);
  return lines.map((line) => `${inert(line)}\n`).join('');
}

/** `steward replicate [--dry-run|--check]`: the `replication:` rules of .steward.yaml, carried out by digest. */
export async function replicateCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { 'dry-run': { type: 'boolean' }, check: { type: 'boolean' }, json: { type: 'boolean' }, 'config-root': { type: 'string' }, ...REGISTRY_OPTIONS } });
  if (positionals.length > 0) throw new UsageError('replicate takes no arguments: the rules are .steward.yaml\'s replication:');
  if (values['dry-run'] && values.check) throw new UsageError('--dry-run and --check: choose one');
  const loaded = await configFor(process.cwd(), values['config-root']);
  if (loaded.error) throw new UsageError(`${loaded.error.file}: ${loaded.error.key}: ${loaded.error.message}`);
  const rules = loaded.config.replicationRules;
  if (rules.length === 0) throw new UsageError(`no replication: rules in ${loaded.file ?? `a .steward.yaml in ${loaded.root}`}`);
  const access = registryAccess(values);
  const controller = new AbortController();
  const stop = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  const onProgress = process.stderr.isTTY ? (progress: { step: string; done: number; total: number }) => process.stderr.write(`\r\x1b[K${progress.total > 0 ? `${progress.done}/${progress.total} ` : ''}${inert(progress.step).slice(0, 120)}`) : undefined;
  const options = { promotionRules: loaded.config.promotionRules, signal: controller.signal, ...(onProgress ? { onProgress } : {}) };
  try {
    const plan = await planReplication(rules, access.open, options);
    if (values['dry-run'] || values.check) {
      if (onProgress) process.stderr.write('\r\x1b[K');
      const shown = values.check ? plan.items.filter((item) => item.action !== 'already-there') : plan.items;
      if (values.json) await print(`${JSON.stringify({ [values.check ? 'stale' : 'plan']: shown, failures: plan.failures }, null, 2)}\n`);
      else await print(shown.map((item) => `${inert(`${values.check ? 'stale: ' : ''}${describeReplicationItem(item)}`)}\n`).join('') + inert(describeFailures(plan)));
      const blocked = plan.failures.length > 0 || plan.items.some((item) => item.action === 'refused');
      return blocked || (values.check && shown.length > 0) ? 1 : 0;
    }
    const run = await executeReplication(plan, access.open, options);
    if (onProgress) process.stderr.write('\r\x1b[K');
    if (values.json) await print(`${JSON.stringify({ results: run.results, stats: run.stats, attachmentsCopied: run.attachmentsCopied, failures: plan.failures }, null, 2)}\n`);
    else await print(describeRun(run) + inert(describeFailures(plan)));
    return plan.failures.length > 0 || run.results.some((result) => result.outcome === 'refused' || result.outcome === 'failed') ? 1 : 0;
  } finally {
    process.off('SIGINT', stop);
    await access.close();
  }
}
