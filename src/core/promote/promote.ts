import { userInfo, hostname } from 'node:os';
import { isTag } from '../reference/parse';
import { addToFallbackIndex, attachArtifact, pushArtifactBlobs } from '../registry/attach';
import { RegistryError } from '../registry/errors';
import type { HttpRegistry } from '../registry/httpRegistry';
import { attachmentContent, inspectImage } from '../registry/inspect';
import type { Attachment, ImageDetails } from '../registry/inspect';
import type { Descriptor, RegistryBackend } from '../registry/types';
import { ImageCopier } from './copy';
import type { CopyOptions, CopyProgress, CopyStats } from './copy';
import { evaluateGates, isImmutable } from './gates';
import { loadKeyFiles } from '../evidence/keys';
import { loadTrustedRoot } from '../evidence/sigstore';
import { verifyImage } from '../evidence/verify';
import type { VerificationPolicy } from '../evidence/verify';
import { loadVexFiles } from '../reports/loadVex';
import type { GateResult, PromotionTargetRule } from './gates';

export type Strategy = 'tag' | 'repository' | 'registry';

export const PROMOTION_RECORD_TYPE = 'application/vnd.artifact-steward.promotion.v1+json';

export interface PromotionSource {
  readonly backend: RegistryBackend;
  readonly repository: string;
  /** A tag or a digest. */
  readonly reference: string;
}

export interface PromotionTarget {
  readonly registry: HttpRegistry;
  readonly repository: string;
  readonly tags: readonly string[];
}

export interface TagPlan {
  readonly tag: string;
  /** The digest the tag points at now, when it exists. */
  readonly current?: string;
  readonly action: 'create' | 'move' | 'unchanged' | 'refused';
}

export interface PromotionPlan {
  readonly strategy: Strategy;
  readonly source: string;
  readonly target: string;
  readonly descriptor: Descriptor;
  readonly tags: readonly TagPlan[];
  readonly gates: readonly GateResult[];
  readonly attachments: readonly Attachment[];
  /** Why the promotion cannot go ahead (immutability, failed gates without an override reason). */
  readonly blockers: readonly string[];
  /** Failed gates the user overrode, with the reason the record keeps. */
  readonly overridden: readonly { readonly gate: string; readonly detail: string; readonly reason: string }[];
}

export interface PromotionResult {
  readonly plan: PromotionPlan;
  /** Nothing to do: every target tag already points at the digest. */
  readonly noop: boolean;
  readonly stats: CopyStats;
  readonly record?: Descriptor;
  readonly attachmentsCopied: number;
}

export class PromotionRefused extends Error {
  constructor(readonly plan: PromotionPlan) {
    super(`promotion of ${plan.source} to ${plan.target} refused: ${plan.blockers.join('; ')}`);
  }
}

export interface PromotionOptions {
  readonly strategy?: Strategy;
  readonly rule?: PromotionTargetRule;
  /** Overrides failed gates (never immutability); kept in the promotion record. */
  readonly overrideReason?: string;
  readonly scanReport?: { readonly text: string; readonly label: string };
  /** The folder of the `.steward.yaml` the rule comes from: its scan gate's `vex` files are read there, never outside. */
  readonly configRoot?: string;
  /** Scans the source image when the scan gate says `trivy: true` and no report is given or attached. */
  readonly runScanner?: (source: PromotionSource, digest: string) => Promise<{ readonly text: string; readonly label: string }>;
  readonly who?: string;
  readonly now?: Date;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: CopyProgress) => void;
  /** The copier's whole-blob retry policy (tests shorten the waits). */
  readonly copy?: Pick<CopyOptions, 'blobAttempts' | 'blobRetryDelayMs'>;
}

/** The strategy a source and target imply, or the requested one when it fits them. */
export function chooseStrategy(sourceRegistry: string, sourceRepository: string, target: PromotionTarget, requested?: Strategy): Strategy {
  const sameRegistry = sourceRegistry === target.registry.name;
  const implied: Strategy = !sameRegistry ? 'registry' : sourceRepository === target.repository ? 'tag' : 'repository';
  if (!requested) return implied;
  if (requested === 'tag' && implied !== 'tag') throw new Error(`--strategy tag adds a tag in the same repository; ${sourceRegistry}/${sourceRepository} → ${target.registry.name}/${target.repository} is a ${implied} promotion`);
  if (requested === 'repository' && implied === 'registry') throw new Error(`--strategy repository stays in one registry; the target is in ${target.registry.name}`);
  return requested === 'registry' ? 'registry' : implied;
}

function targetName(target: PromotionTarget): string {
  return `${target.registry.name}/${target.repository}:${target.tags.join(',')}`;
}

async function currentDigest(target: PromotionTarget, tag: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    return (await target.registry.resolve(target.repository, tag, signal)).digest;
  } catch (error) {
    if (error instanceof RegistryError && error.status === 404) return undefined;
    throw error;
  }
}

/** The plan in words, a line per gate and tag: what the CLI prints and the editor's confirmation shows. */
export function describePlan(plan: PromotionPlan): string {
  const lines = [`Promote ${plan.source} (${plan.descriptor.digest}) → ${plan.target}  [${plan.strategy}]`];
  for (const gate of plan.gates) lines.push(`  gate ${gate.pass ? 'passed' : 'FAILED'}  ${gate.gate}: ${gate.detail}`);
  for (const override of plan.overridden) lines.push(`  gate ${override.gate} overridden: ${override.reason}`);
  for (const tag of plan.tags) lines.push(`  tag ${tag.tag}: ${tag.action === 'move' ? `move from ${tag.current}` : tag.action === 'unchanged' ? 'already there (nothing to do)' : tag.action === 'refused' ? `refused (immutable, points at ${tag.current})` : 'create'}`);
  if (plan.attachments.length > 0) lines.push(`  attachments to carry: ${plan.attachments.map((attachment) => attachment.kind).join(', ')}`);
  return lines.join('\n');
}

/** The gates of `options.rule` judged on the source image's evidence, as inspected. */
function sourceGates(source: PromotionSource, details: ImageDetails, options: PromotionOptions): Promise<GateResult[]> {
  const { signal } = options;
  return evaluateGates(options.rule?.gates, {
    attachments: details.attachments, labels: details.labels,
    read: (attachment) => attachmentContent(source.backend, source.repository, attachment, signal),
    ...(options.scanReport ? { scanReport: options.scanReport } : {}),
    ...(options.runScanner ? { runScanner: () => options.runScanner!(source, details.digest) } : {}),
    ...(options.now ? { today: options.now } : {}),
    ...(options.configRoot ? {
      loadVex: (paths: readonly string[]) => loadVexFiles(paths, options.configRoot!, options.configRoot),
      loadKeys: (paths: readonly string[]) => loadKeyFiles(paths, options.configRoot!, options.configRoot),
      loadTrustedRoot: (path: string) => loadTrustedRoot(path, options.configRoot!, options.configRoot),
    } : {}),
    verify: (policy: VerificationPolicy) => verifyImage(source.backend, source.repository, details.digest, policy),
    digests: [details.digest, ...details.platforms.map((platform) => platform.digest)],
  });
}

/**
 * The gates of a promotion target's rule judged on a source image, as `planPromotion` judges them,
 * without reading or planning any target: what the Environments view and Promote to next
 * environment check.
 */
export async function gatesOfImage(source: PromotionSource, rule: PromotionTargetRule, options: Omit<PromotionOptions, 'rule'> = {}): Promise<GateResult[]> {
  return sourceGates(source, await inspectImage(source.backend, source.repository, source.reference, options.signal), { ...options, rule });
}

/** Reads everything the decision needs, writes nothing: target tags, immutability, gates, attachments. */
export async function planPromotion(sourceRegistry: string, source: PromotionSource, target: PromotionTarget, options: PromotionOptions = {}): Promise<PromotionPlan> {
  const { signal } = options;
  // Tags reach the target's URL paths: only what the tag grammar allows.
  const badTag = target.tags.find((tag) => !isTag(tag));
  if (badTag !== undefined) throw new Error(`${JSON.stringify(badTag)} is not a valid tag`);
  if (target.tags.length === 0) throw new Error('a promotion needs at least one target tag');
  const strategy = chooseStrategy(sourceRegistry, source.repository, target, options.strategy);
  // The source and the target's tags are read at once: neither depends on the other.
  const [details, currents] = await Promise.all([
    inspectImage(source.backend, source.repository, source.reference, signal),
    Promise.all(target.tags.map((tag) => currentDigest(target, tag, signal))),
  ]);
  const descriptor: Descriptor = { mediaType: details.mediaType, digest: details.digest, size: details.size };
  const separator = source.reference.includes(':') ? '@' : ':';
  // An OCI layout's repository is its folder's name: `oci:DIR/DIR-name` would name no layout.
  const sourceName = sourceRegistry.startsWith('oci:') ? `${sourceRegistry}${separator}${source.reference}` : `${sourceRegistry}/${source.repository}${separator}${source.reference}`;
  const tags: TagPlan[] = [];
  const blockers: string[] = [];
  for (const [index, tag] of target.tags.entries()) {
    const current = currents[index];
    if (!current) tags.push({ tag, action: 'create' });
    else if (current === descriptor.digest) tags.push({ tag, current, action: 'unchanged' });
    else if (isImmutable(options.rule, tag)) {
      tags.push({ tag, current, action: 'refused' });
      blockers.push(`${target.registry.name}/${target.repository}:${tag} is immutable (${options.rule!.immutableTags!.join(', ')}) and points at ${current}, not ${descriptor.digest}`);
    } else tags.push({ tag, current, action: 'move' });
  }
  const gates = await sourceGates(source, details, options);
  const failed = gates.filter((gate) => !gate.pass);
  const overridden = options.overrideReason ? failed.map((gate) => ({ gate: gate.gate, detail: gate.detail, reason: options.overrideReason! })) : [];
  if (!options.overrideReason) for (const gate of failed) blockers.push(`gate ${gate.gate} failed: ${gate.detail}`);
  return { strategy, source: sourceName, target: targetName(target), descriptor, tags, gates, attachments: details.attachments, blockers, overridden };
}

/**
 * Carries out a plan in the order that keeps every existing tag intact on failure: blobs (mounted
 * or streamed and verified) → child manifests → the manifest or index → attachments → the
 * promotion record → tags last. A tag that was moved is put back if a later tag fails. A re-run
 * skips what is already there.
 */
export async function executePromotion(source: PromotionSource, target: PromotionTarget, plan: PromotionPlan, options: PromotionOptions = {}): Promise<PromotionResult> {
  if (plan.blockers.length > 0) throw new PromotionRefused(plan);
  const { signal } = options;
  const copier = new ImageCopier({ backend: source.backend, repository: source.repository }, target, { ...options.copy, ...(signal ? { signal } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  if (plan.tags.every((tag) => tag.action === 'unchanged')) return { plan, noop: true, stats: copier.stats, attachmentsCopied: 0 };
  const { digest } = plan.descriptor;
  const recordBytes = Buffer.from(JSON.stringify(promotionRecord(plan, options), null, 2));
  // The record's blobs go up while the image copies (blobs are not tags: nothing points at them yet).
  const recordBlobs = pushArtifactBlobs(target.registry, target.repository, recordBytes, signal);
  recordBlobs.catch(() => undefined);
  // A tag in place: the manifest and its blobs are there already.
  const manifest = plan.strategy === 'tag' ? await target.registry.getManifest(target.repository, digest, signal) : await copier.copyManifest(digest);
  const attachmentsCopied = plan.strategy === 'tag' ? 0 : await carryAttachments(copier, target, digest, plan.attachments, signal);
  const record = await attachArtifact(target.registry, target.repository, plan.descriptor, {
    artifactType: PROMOTION_RECORD_TYPE,
    bytes: recordBytes,
    annotations: { 'org.opencontainers.image.created': (options.now ?? new Date()).toISOString() },
  }, signal, recordBlobs);
  await tagLast(target, plan.tags, manifest.bytes, manifest.descriptor.mediaType, signal);
  return { plan, noop: false, stats: copier.stats, record, attachmentsCopied };
}

/**
 * Copies the attachments of `digest` with the image's copier (a cosign tag is re-tagged; a referrer
 * is added to the target's referrers where it is not listed yet); returns how many were copied.
 * BuildKit attestations ride inside the index and are copied with it.
 */
export async function carryAttachments(copier: ImageCopier, target: { readonly registry: HttpRegistry; readonly repository: string }, digest: string, attachments: readonly Attachment[], signal?: AbortSignal): Promise<number> {
  let copied = 0;
  for (const attachment of attachments.filter((candidate) => candidate.via !== 'buildkit')) {
    const manifest = await copier.copyManifest(attachment.digest);
    if (attachment.via === 'cosign-tag' && attachment.tag) await target.registry.putManifest(target.repository, attachment.tag, manifest.bytes, manifest.descriptor.mediaType, signal);
    copied += 1;
  }
  const referrers = attachments.filter((attachment) => attachment.via === 'referrers');
  if (referrers.length > 0) {
    const present = new Set((await target.registry.referrers(target.repository, digest, signal)).map((descriptor) => descriptor.digest));
    for (const attachment of referrers.filter((candidate) => !present.has(candidate.digest))) {
      const manifest = await target.registry.getManifest(target.repository, attachment.digest, signal);
      await addToFallbackIndex(target.registry, target.repository, digest, { ...manifest.descriptor, ...(attachment.artifactType ? { artifactType: attachment.artifactType } : {}) }, signal);
    }
  }
  return copied;
}

function promotionRecord(plan: PromotionPlan, options: PromotionOptions): Record<string, unknown> {
  let who = options.who;
  if (!who) {
    try {
      who = `${userInfo().username}@${hostname()}`;
    } catch {
      who = 'unknown';
    }
  }
  return {
    source: plan.source, target: plan.target, digest: plan.descriptor.digest, strategy: plan.strategy,
    gates: plan.gates, overrides: plan.overridden, time: (options.now ?? new Date()).toISOString(), who, tool: 'artifact-steward',
  };
}

/** Writes the tags to create or move, last; a tag that was moved is put back if a later one fails. */
export async function tagLast(target: { readonly registry: HttpRegistry; readonly repository: string }, tags: readonly TagPlan[], bytes: Buffer, mediaType: string, signal?: AbortSignal): Promise<void> {
  const moved: { tag: string; previous: { bytes: Buffer; mediaType: string } }[] = [];
  try {
    for (const tag of tags.filter((candidate) => candidate.action === 'create' || candidate.action === 'move')) {
      if (tag.action === 'move') {
        const previous = await target.registry.getManifest(target.repository, tag.current!, signal);
        await target.registry.putManifest(target.repository, tag.tag, bytes, mediaType, signal);
        moved.push({ tag: tag.tag, previous: { bytes: previous.bytes, mediaType: previous.descriptor.mediaType } });
      } else await target.registry.putManifest(target.repository, tag.tag, bytes, mediaType, signal);
    }
  } catch (error) {
    // Put moved tags back (not cancellable: the target must end as it was).
    for (const { tag, previous } of moved.reverse()) await target.registry.putManifest(target.repository, tag, previous.bytes, previous.mediaType).catch(() => undefined);
    throw error;
  }
}

