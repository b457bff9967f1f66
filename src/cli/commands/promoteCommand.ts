import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { ruleFor } from '../../core/promote/gates';
import { describePlan, executePromotion, planPromotion, PromotionRefused } from '../../core/promote/promote';
import type { PromotionResult, PromotionSource, PromotionTarget, Strategy } from '../../core/promote/promote';
import { gitDevTag, semverAliases, timestampTag } from '../../core/promote/tagHelpers';
import { isLoopback } from '../../core/registry/auth';
import { trivyScanner } from '../../core/scanners/trivyScanner';
import { isTag, parseReference } from '../../core/reference/parse';
import { OciLayoutRegistry } from '../../core/registry/ociLayout';
import { configFor } from '../check';
import { registryAccess, splitLayoutArgument } from '../registryAccess';
import { REGISTRY_OPTIONS } from '../registryFlags';
import { inert } from '../terminalText';
import { oneOf, print, UsageError } from '../usage';
import { planManifestUpdates, writeManifestUpdates } from './manifestUpdates';
import type { ManifestUpdates } from './manifestUpdates';

const execFileAsync = promisify(execFile);

function describeResult(result: PromotionResult): string {
  if (result.noop) return 'Nothing to do: every target tag already points at this digest.\n';
  const { stats } = result;
  return `Promoted: ${stats.blobsMounted} blob(s) mounted, ${stats.blobsCopied} copied (${stats.bytesSent} bytes), ${stats.blobsPresent} already there; ${stats.manifests} manifest(s); ${result.attachmentsCopied} attachment(s); record ${result.record?.digest}\n`;
}

/** `manifests` (one entry per reference updated) and `skippedManifests` (left, with why) of the JSON output. */
function manifestsJson(updates: ManifestUpdates | undefined): { manifests?: ManifestUpdates['changes']; skippedManifests?: ManifestUpdates['skipped'] } {
  return updates ? { manifests: updates.changes, skippedManifests: updates.skipped } : {};
}

function describeSkipped(updates: ManifestUpdates | undefined): string {
  return (updates?.skipped ?? []).map((reference) => `skipped ${reference.file}:${reference.line}: ${reference.from}: ${reference.reason}\n`).join('');
}

/** `<branch>-<short sha>` of the repository in `cwd` (a dev tag from git). */
async function devTag(cwd: string): Promise<string> {
  const git = (...args: string[]) => execFileAsync('git', args, { cwd }).then(({ stdout }) => stdout.trim(), () => { throw new UsageError('--dev-tag needs a git repository with a commit'); });
  return gitDevTag(await git('rev-parse', '--abbrev-ref', 'HEAD'), await git('rev-parse', 'HEAD'));
}

/** `steward promote <source> <target>`: build once, promote by digest, with gates and immutability. */
export async function promoteCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args], allowPositionals: true,
    options: {
      strategy: { type: 'string' }, 'update-manifests': { type: 'string', multiple: true }, 'allow-downgrade': { type: 'boolean' }, 'update-source-references': { type: 'boolean' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' },
      'scan-report': { type: 'string' }, 'override-reason': { type: 'string' }, 'semver-aliases': { type: 'boolean' }, 'timestamp-tag': { type: 'boolean' },
      'also-tag': { type: 'string', multiple: true }, 'dev-tag': { type: 'boolean' }, 'config-root': { type: 'string' },
      trivy: { type: 'string' }, 'trivy-arg': { type: 'string', multiple: true }, ...REGISTRY_OPTIONS,
    },
  });
  if (positionals.length !== 2) throw new UsageError('promote takes a source and a target reference');
  const strategy = values.strategy === undefined ? undefined : oneOf<Strategy>(values.strategy, ['tag', 'repository', 'registry'], 'strategy');
  const cwd = process.cwd();
  const loaded = await configFor(cwd, values['config-root']);
  if (loaded.error) throw new UsageError(`${loaded.error.file}: ${loaded.error.key}: ${loaded.error.message}`);
  const access = registryAccess(values);
  try {
    const [sourceArgument, targetArgument] = positionals as [string, string];
    const layout = splitLayoutArgument(sourceArgument);
    let source: PromotionSource;
    let sourceRegistry: string;
    let sourceTag: string | undefined;
    if (layout) {
      const dir = resolve(layout.dir);
      source = { backend: new OciLayoutRegistry(dir), repository: basename(dir), reference: layout.tag ?? 'latest' };
      sourceRegistry = `oci:${layout.dir}`;
      sourceTag = layout.tag ?? 'latest';
    } else {
      const parsed = parseReference(sourceArgument);
      if (!parsed.ok) throw new UsageError(`source "${sourceArgument}" is not a valid image reference: ${parsed.error}`);
      const { domain, path, tag, digest } = parsed.reference;
      source = { backend: access.open(domain), repository: path, reference: digest ?? tag ?? 'latest' };
      sourceRegistry = domain;
      sourceTag = tag ?? (digest ? undefined : 'latest');
    }
    const parsedTarget = parseReference(targetArgument);
    if (!parsedTarget.ok) throw new UsageError(`target "${targetArgument}" is not a valid image reference: ${parsedTarget.error}`);
    if (parsedTarget.reference.digest) throw new UsageError('the target names a repository and tag, not a digest (the digest is the source\'s)');
    const mainTag = parsedTarget.reference.tag ?? sourceTag;
    if (!mainTag) throw new UsageError('the source is a digest: give the target a tag (host/repo:tag)');
    const tags = [...new Set([
      mainTag, ...(values['semver-aliases'] ? semverAliases(mainTag) : []), ...(values['timestamp-tag'] ? [timestampTag(mainTag)] : []), ...(values['also-tag'] ?? []),
      ...(values['dev-tag'] ? [await devTag(cwd)] : []),
    ])];
    const badTag = tags.find((tag) => !isTag(tag));
    if (badTag !== undefined) throw new UsageError(`${JSON.stringify(badTag)} is not a valid tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
    const { domain: targetDomain, path: targetPath } = parsedTarget.reference;
    const target: PromotionTarget = { registry: access.open(targetDomain), repository: targetPath, tags };
    const rule = ruleFor(loaded.config.promotionRules, `${targetDomain}/${targetPath}`);
    const scanReport = values['scan-report'] ? { text: await readFile(values['scan-report'], 'utf8'), label: values['scan-report'] } : undefined;
    const runScanner = trivyScanner(values.trivy, values['trivy-arg'] ?? [], (host) => isLoopback(host) || (values['insecure-registry'] ?? []).includes(host), process.stderr.isTTY ? (line) => process.stderr.write(`\r\x1b[Ktrivy: ${line.slice(0, 100)}`) : undefined);
    const options = { runScanner, configRoot: loaded.root, ...(strategy ? { strategy } : {}), ...(rule ? { rule } : {}), ...(values['override-reason'] ? { overrideReason: values['override-reason'] } : {}), ...(scanReport ? { scanReport } : {}) };
    const plan = await planPromotion(sourceRegistry, source, target, options);
    const manifestPaths = values['update-manifests'] ?? [];
    const promoted = {
      reference: `${targetDomain}/${targetPath}:${mainTag}@${plan.descriptor.digest}`,
      source: `${sourceRegistry}/${source.repository}${sourceTag ? `:${sourceTag}` : `@${source.reference}`}`,
    };
    const flags = { allowDowngrade: values['allow-downgrade'] === true, updateSourceReferences: values['update-source-references'] === true };
    if ((flags.allowDowngrade || flags.updateSourceReferences) && manifestPaths.length === 0) throw new UsageError('--allow-downgrade and --update-source-references go with --update-manifests');
    // Planned (and checked writable) before anything is promoted.
    const updates = manifestPaths.length > 0 && plan.blockers.length === 0 ? await planManifestUpdates(manifestPaths, cwd, promoted, flags) : undefined;
    if (values['dry-run'] || plan.blockers.length > 0) {
      if (values.json) await print(`${JSON.stringify({ plan, dryRun: values['dry-run'] === true, ...manifestsJson(updates) }, null, 2)}\n`);
      else await print(inert(`${describePlan(plan)}\n` + (plan.blockers.length > 0 ? `Refused:\n${plan.blockers.map((blocker) => `  ${blocker}`).join('\n')}\n` : '')) + (updates?.diff ?? '') + inert(describeSkipped(updates)));
      return plan.blockers.length > 0 ? 1 : 0;
    }
    const progress = process.stderr.isTTY ? (step: { step: string; bytesSent: number }) => process.stderr.write(`\r\x1b[K${step.step} — ${step.bytesSent} bytes sent`) : undefined;
    const controller = new AbortController();
    const stop = () => controller.abort(new Error('interrupted'));
    process.once('SIGINT', stop);
    let result: PromotionResult;
    try {
      result = await executePromotion(source, target, plan, { ...options, signal: controller.signal, ...(progress ? { onProgress: progress } : {}) });
    } finally {
      process.off('SIGINT', stop);
      if (progress) process.stderr.write('\r\x1b[K');
    }
    if (updates) await writeManifestUpdates(updates, cwd);
    if (values.json) await print(`${JSON.stringify({ plan, result: { noop: result.noop, stats: result.stats, record: result.record, attachmentsCopied: result.attachmentsCopied }, ...manifestsJson(updates) }, null, 2)}\n`);
    else await print(inert(`${describePlan(plan)}\n` + describeResult(result) + (updates ? updates.changes.map((change) => `updated ${change.file}:${change.line}: ${change.from} → ${change.to}\n`).join('') : '') + describeSkipped(updates)));
    return 0;
  } catch (error) {
    if (error instanceof PromotionRefused) {
      await print(`${inert(describePlan(error.plan))}\n`);
      return 1;
    }
    throw error;
  } finally {
    await access.close();
  }
}
