import { formatBytes } from '../formatBytes';
import type { ApplyResult } from './apply';
import { shortDigest } from './plan';
import type { PlanItem, RetentionPlan } from './plan';
import type { UnreadableFile } from './protection';

const FORMAT_NAMES = { ecr: 'AWS ECR lifecycle policy', gar: 'Artifact Registry cleanup policies', harbor: 'Harbor tag retention', steward: '.steward.yaml retention rules' } as const;

/** Deletes first, then what protection keeps against the policy, then the rest. */
function rank(item: PlanItem): number {
  if (item.action === 'delete') return 0;
  return item.policy.action === 'delete' ? 1 : 2;
}

/** The order plans are shown in (CLI and editor): deletes, protected, kept; by digest within each. */
export function byDecision(a: PlanItem, b: PlanItem): number {
  return rank(a) - rank(b) || a.digest.localeCompare(b.digest);
}

/** One line per artifact: action, digest, tags, age and where it came from, and why. */
export function describeItem(item: PlanItem): string {
  const tags = item.tags.length > 0 ? item.tags.join(', ') : `(${item.role === 'child' ? 'platform' : item.role === 'image' ? 'untagged' : item.role})`;
  const age = item.created !== undefined ? `${new Date(item.created).toISOString().slice(0, 10)} (${item.ageSource})` : 'age unknown';
  const why = item.action === 'keep' && item.policy.action === 'delete'
    ? `PROTECTED: ${item.because}; the registry would delete it (${item.policy.rule})`
    : item.because ? `${item.because} (policy: ${item.policy.rule})` : item.policy.rule;
  const expired = item.policy.expiredTags?.length && item.action === 'keep' ? `; expired tags kept with it: ${item.policy.expiredTags.join(', ')}` : '';
  return `${item.action === 'delete' ? 'delete' : 'keep  '}  ${shortDigest(item.digest)}  ${tags}  ${age}  ${why}${expired}${item.action === 'delete' && item.reclaimableBytes > 0 ? `  frees ${formatBytes(item.reclaimableBytes)}` : ''}`;
}

/** Why apply needs consent to go ahead, naming each file and why (CLI refusal, editor modal). */
export function describeUnreadable(files: readonly UnreadableFile[]): string {
  return `${files.length} workspace file(s) could not be read or parsed, so the images they use are not protected: ${files.map((file) => `${file.path} (${file.reason})`).join('; ')}`;
}

/** The plan in words: the policy, what the workspace could not tell, then per repository the summary and one line per artifact. */
export function describePlan(plan: RetentionPlan): string {
  const lines = [`Retention plan, ${FORMAT_NAMES[plan.format]}, as of ${plan.now}:`, ...plan.policy.map((rule) => `  ${rule}`)];
  if (plan.unreadable.length > 0) lines.push('', 'Workspace files that could not be read or parsed (the images they use are not protected; apply refuses unless told to delete without them):', ...plan.unreadable.map((file) => `  ${file.path}: ${file.reason}`));
  for (const repository of plan.repositories) {
    lines.push('', `${repository.registry}/${repository.repository}: ${repository.deletes} of ${repository.items.length} to delete, ${formatBytes(repository.reclaimableBytes)} reclaimable (blobs no kept image of the repository uses)`);
    for (const item of [...repository.items].sort(byDecision)) lines.push(`  ${describeItem(item)}`);
  }
  const deletes = plan.repositories.reduce((sum, repository) => sum + repository.deletes, 0);
  lines.push('', `${deletes} digest(s) to delete in ${plan.repositories.length} repositor${plan.repositories.length === 1 ? 'y' : 'ies'}.`);
  return `${lines.join('\n')}\n`;
}

export function describeResult(result: ApplyResult): string {
  return `${result.outcome.padEnd(12)} ${result.registry}/${result.repository}@${result.digest}${result.tags.length > 0 ? ` (${result.tags.join(', ')})` : ''}${result.detail ? `: ${result.detail}` : ''}`;
}
