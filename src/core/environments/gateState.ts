import { ruleFor } from '../promote/gates';
import type { GateResult, PromotionTargetRule } from '../promote/gates';
import { gatesOfImage } from '../promote/promote';
import type { PromotionOptions } from '../promote/promote';
import type { RegistryBackend } from '../registry/types';
import type { EnvironmentRow } from './status';

export type GateOptions = Pick<PromotionOptions, 'configRoot' | 'runScanner' | 'now' | 'signal'>;

/**
 * The gates of the promotion target (`promotion.targets[]`) whose `match` names `targetRepository`
 * (`host/path`), judged on `image` as `steward promote` judges them; undefined when no target with
 * gates matches. Nothing is copied, tagged or written.
 */
export async function targetGates(
  rules: readonly PromotionTargetRule[],
  targetRepository: string,
  image: { readonly domain: string; readonly path: string; readonly digest: string },
  open: (registry: string) => RegistryBackend,
  options: GateOptions = {},
): Promise<{ rule: PromotionTargetRule; results: GateResult[] } | undefined> {
  const rule = ruleFor(rules, targetRepository);
  if (!rule?.gates) return undefined;
  return { rule, results: await gatesOfImage({ backend: open(image.domain), repository: image.path, reference: image.digest }, rule, options) };
}

/**
 * A row's digest against the gates of the promotion target matching the repository it is deployed
 * from: `none` when no target with gates matches, `unknown` when they could not be judged (no digest,
 * the registry did not answer), else `pass` or `fail` with each gate's result.
 */
export type GateState =
  | { readonly state: 'none' }
  | { readonly state: 'pass' | 'fail'; readonly match: string; readonly results: readonly GateResult[] }
  | { readonly state: 'unknown'; readonly match: string; readonly reason: string };

type GatedRow = Pick<EnvironmentRow, 'parsed' | 'digest'>;

/**
 * Gate states per digest (and repository and rule), for as long as it lives: the gates read the
 * image's attachments and config, which a tree that re-renders must not read again. An `unknown`
 * from a failure is not remembered, so the next look asks again.
 */
export class GateStateCache {
  private readonly entries = new Map<string, { answer: Promise<GateState>; settled?: GateState }>();

  constructor(private readonly open: (registry: string) => RegistryBackend) {}

  private static key(rules: readonly PromotionTargetRule[], row: GatedRow, configRoot: string | undefined): string | undefined {
    const { domain, path } = row.parsed;
    const rule = ruleFor(rules, `${domain}/${path}`);
    return rule?.gates && row.digest ? JSON.stringify([configRoot, rule, domain, path, row.digest]) : undefined;
  }

  /** The state now, without asking: undefined while it is being judged or not asked for yet. */
  peek(rules: readonly PromotionTargetRule[], row: GatedRow, configRoot?: string): GateState | undefined {
    const key = GateStateCache.key(rules, row, configRoot);
    return key === undefined ? stateWithoutAsking(rules, row) : this.entries.get(key)?.settled;
  }

  /** The gate state of a row's digest; never rejects (a failure is `unknown`, with why). */
  stateOf(rules: readonly PromotionTargetRule[], row: GatedRow, options: GateOptions = {}): Promise<GateState> {
    const key = GateStateCache.key(rules, row, options.configRoot);
    if (key === undefined) return Promise.resolve(stateWithoutAsking(rules, row));
    const cached = this.entries.get(key);
    if (cached) return cached.answer;
    const { domain, path } = row.parsed;
    const entry: { answer: Promise<GateState>; settled?: GateState } = {
      answer: targetGates(rules, `${domain}/${path}`, { domain, path, digest: row.digest! }, this.open, options).then(
        (judged): GateState => judgedState(judged!.rule, judged!.results),
        (error: unknown): GateState => {
          // Only this answer is forgotten: a clear() may have been followed by a newer one.
          if (this.entries.get(key) === entry) this.entries.delete(key);
          return { state: 'unknown', match: ruleFor(rules, `${domain}/${path}`)!.match, reason: `the gates could not be judged: ${(error as Error).message}` };
        },
      ),
    };
    this.entries.set(key, entry);
    void entry.answer.then((state) => {
      entry.settled = state;
    });
    return entry.answer;
  }

  clear(): void {
    this.entries.clear();
  }
}

function judgedState(rule: PromotionTargetRule, results: readonly GateResult[]): GateState {
  return { state: results.every((result) => result.pass) ? 'pass' : 'fail', match: rule.match, results };
}

/** No target with gates (`none`), or gates and no digest to judge (`unknown`). */
function stateWithoutAsking(rules: readonly PromotionTargetRule[], row: GatedRow): GateState {
  const rule = ruleFor(rules, `${row.parsed.domain}/${row.parsed.path}`);
  return rule?.gates ? { state: 'unknown', match: rule.match, reason: 'the digest is not resolved' } : { state: 'none' };
}

/** `gates passed`, `gates FAILED: labels: …`, in one line each reason: the CLI's and the tooltip's words. */
export function describeGateState(state: GateState): string[] {
  if (state.state === 'none') return [];
  if (state.state === 'unknown') return [`gates of ${state.match} unknown: ${state.reason}`];
  return [`gates of ${state.match} ${state.state === 'pass' ? 'passed' : 'FAILED'}`, ...state.results.map((result) => `  ${result.pass ? 'passed' : 'FAILED'}  ${result.gate}: ${result.detail}`)];
}
