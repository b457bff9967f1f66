import { LineCounter, parseDocument } from 'yaml';
import { ecrPolicy, readEcrPolicy } from './policies/ecr';
import { garPolicy, readGarPolicies } from './policies/gar';
import { harborPolicy, readHarborPolicy } from './policies/harbor';
import { readStewardRetention, stewardPolicy } from './policies/steward';
import type { PolicyFormat, RetentionPolicy } from './model';
import { PolicyError } from './policyError';

export const POLICY_FORMATS: readonly PolicyFormat[] = ['ecr', 'gar', 'harbor', 'steward'];

/** Which language a policy file is written in, from its shape. */
export function sniffPolicyFormat(data: unknown): PolicyFormat | undefined {
  if (Array.isArray(data) || (typeof data === 'object' && data !== null && 'cleanupPolicies' in data)) return 'gar';
  if (typeof data !== 'object' || data === null) return undefined;
  if ('retention' in data) return 'steward';
  const rules = (data as { rules?: unknown }).rules;
  if (!Array.isArray(rules)) return undefined;
  const first = rules.find((rule) => typeof rule === 'object' && rule !== null) as Record<string, unknown> | undefined;
  if (!first) return undefined;
  if ('rulePriority' in first || 'selection' in first) return 'ecr';
  if ('template' in first || 'tag_selectors' in first) return 'harbor';
  if ('tags' in first) return 'steward';
  return undefined;
}

/** Evaluates already-parsed policy data in the given (or sniffed) language. */
export function policyFrom(data: unknown, file: string, format: PolicyFormat | undefined = sniffPolicyFormat(data)): RetentionPolicy {
  switch (format) {
    case 'ecr': return ecrPolicy(readEcrPolicy(data, file));
    case 'gar': return garPolicy(readGarPolicies(data, file));
    case 'harbor': return harborPolicy(readHarborPolicy(data, file));
    case 'steward': return stewardPolicy(readStewardRetention(typeof data === 'object' && data !== null && 'retention' in data ? (data as { retention: unknown }).retention : data, file));
    default: throw new PolicyError(file, '', 'is not a retention policy this tool reads (ECR lifecycle JSON, GAR cleanup policies, Harbor retention JSON, or `retention:` rules); name the format with --format');
  }
}

/** Reads a policy file (JSON or YAML) in any of the four languages. */
export function readPolicyFile(text: string, file: string, format?: PolicyFormat): RetentionPolicy {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const error = document.errors[0];
  if (error) {
    const position = lineCounter.linePos(error.pos[0]);
    throw new PolicyError(file, `line ${position.line}, column ${position.col}`, `syntax error: ${error.message.split('\n')[0]}`);
  }
  return policyFrom(document.toJS(), file, format);
}
