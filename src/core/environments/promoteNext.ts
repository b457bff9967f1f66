import type { GateResult, PromotionTargetRule } from '../promote/gates';
import { planReferenceUpdates } from '../promote/gitops';
import type { PromotedImage, ReferencePlan } from '../promote/gitops';
import type { RegistryBackend } from '../registry/types';
import { targetGates } from './gateState';
import type { GateOptions } from './gateState';
import type { EnvironmentRow, EnvironmentStatus } from './status';
import { shortDigest } from './status';

/** What "Promote to next environment" points where: the digest `from` runs, in `to`'s files. */
export interface NextEnvironmentPromotion {
  readonly repository: string;
  readonly from: string;
  readonly to: string;
  /** The row of `from` whose digest moves on. */
  readonly source: EnvironmentRow;
  /** `to`'s rows of the repository: the references that move. */
  readonly targets: readonly EnvironmentRow[];
  /** `host/repository:tag@digest`, for the GitOps edit. */
  readonly promoted: PromotedImage;
  /** `to`'s files to edit, relative to the config's folder. */
  readonly files: readonly string[];
}

/**
 * Plans pointing the environment after `from` at the digest `from` runs of `repositoryKey`. Refused,
 * with why, when `from` runs several digests or none it could resolve, when no environment follows,
 * when the next one does not deploy the repository, or when its reference is written in a file that
 * is not its own (a base shared with other environments: editing it would move them too).
 */
export function planNextEnvironmentPromotion(status: EnvironmentStatus, repositoryKey: string, from: string): NextEnvironmentPromotion | { refused: string } {
  const repository = status.repositories.find((candidate) => candidate.key === repositoryKey);
  if (!repository) return { refused: `no environment deploys ${repositoryKey}` };
  const index = status.environments.findIndex((environment) => environment.name === from);
  if (index < 0) return { refused: `there is no environment "${from}" (${status.environments.map((environment) => environment.name).join(', ')})` };
  const next = status.environments[index + 1];
  if (!next) return { refused: `${from} is the last environment: there is none to promote to` };
  const sources = repository.rows.filter((row) => row.environment === from);
  if (sources.length === 0) return { refused: `${from} deploys no image of ${repository.repository}` };
  const unresolved = sources.find((row) => row.error || !row.digest);
  if (unresolved) return { refused: `${from}'s ${unresolved.reference} (${unresolved.file}:${unresolved.line}) is not resolved: ${unresolved.error ?? 'no digest'}` };
  const digests = [...new Set(sources.map((row) => row.digest))];
  if (digests.length > 1) return { refused: `${from} runs ${digests.length} digests of ${repository.repository} (${sources.map((row) => `${row.file}:${row.line}`).join(', ')}): make it run one first` };
  const source = sources[0]!;
  if (!source.tag) return { refused: `${from} pins ${repository.repository} by digest alone (${source.file}:${source.line}): there is no tag to write` };
  const targets = repository.rows.filter((row) => row.environment === next.name);
  if (targets.length === 0) return { refused: `${next.name} deploys no image of ${repository.repository}: add it to ${next.name}'s files first` };
  const shared = targets.find((row) => !next.contains(row.file));
  if (shared) return { refused: `${next.name}'s ${shared.reference} is written in ${shared.file}:${shared.line}, which is not one of ${next.name}'s files (${next.paths.join(', ')}): editing it would move other environments too; set the image in ${next.name}'s own files (a Kustomize images: entry in its overlay)` };
  const reference = `${targets[0]!.repository}:${source.tag}@${source.digest!}`;
  return {
    repository: repository.repository, from, to: next.name, source, targets,
    promoted: { reference, source: `${source.repository}:${source.tag}` },
    files: [...new Set(targets.map((row) => row.file))].sort(),
  };
}

/** The one-line summary the CLI and the editor show: `staging → prod: api 1.3.0 (sha256:…)`. */
export function describeNextEnvironmentPromotion(promotion: NextEnvironmentPromotion): string {
  return `${promotion.from} → ${promotion.to}: ${promotion.repository}:${promotion.source.tag} (${shortDigest(promotion.source.digest!)}…) in ${promotion.files.join(', ')}`;
}

/** The chart values.yaml each of the next environment's Helm overrides is layered over, by the override's file. */
export function layeredBases(promotion: NextEnvironmentPromotion): Map<string, string> {
  return new Map(promotion.targets.flatMap((row) => (row.layeredOver ? [[row.file, row.layeredOver] as const] : [])));
}

/**
 * The GitOps edit of each of the next environment's files: one update per reference to the
 * repository; a Helm override is read over the values.yaml it is layered over (`readText` reads both).
 */
export function planNextEnvironmentEdits(promotion: NextEnvironmentPromotion, readText: (file: string) => string | undefined): { file: string; text: string; plan: ReferencePlan }[] {
  const bases = layeredBases(promotion);
  return promotion.files.flatMap((file) => {
    const text = readText(file);
    const base = bases.get(file);
    return text === undefined ? [] : [{ file, text, plan: planReferenceUpdates(file, text, promotion.promoted, base === undefined ? undefined : readText(base)) }];
  });
}

/**
 * The gates of the next environment's repository (`promotion.targets[]` whose `match` names it),
 * checked against the digest that moves on, as `steward promote` checks them; none configured: no
 * results. Nothing is copied or tagged.
 */
export async function checkNextEnvironmentGates(
  promotion: NextEnvironmentPromotion,
  rules: readonly PromotionTargetRule[],
  open: (registry: string) => RegistryBackend,
  options: GateOptions = {},
): Promise<GateResult[]> {
  const target = promotion.targets[0]!.parsed;
  const { domain, path } = promotion.source.parsed;
  return (await targetGates(rules, `${target.domain}/${target.path}`, { domain, path, digest: promotion.source.digest! }, open, options))?.results ?? [];
}
