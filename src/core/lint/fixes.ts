import { dockerfileFixes } from '../dockerfile/fixes';
import type { FixContext } from '../dockerfile/fixes';
import { analyzeDockerfile } from '../dockerfile/model';
import { fileKindOf } from '../workspace/fileKinds';
import type { FileKind } from '../workspace/fileKinds';
import type { LintConfig } from './config';
import type { Finding } from './finding';
import { ignoreRuleFix } from './fix';
import type { Fix } from './fix';
import { fileInvalid } from './rules/fileInvalid';

/** Every quick-fix for one finding, most useful first; the suppression comment comes last. */
export function fixesFor(path: string, text: string, finding: Finding, config: LintConfig, context: FixContext = {}, kind: FileKind | undefined = fileKindOf(path)): Fix[] {
  // A broken file has nothing to fix, and one over the input limits must not be parsed for it.
  if (finding.rule === fileInvalid.id) return [];
  const fixes: Fix[] = kind === 'dockerfile' ? dockerfileFixes(path, text, analyzeDockerfile(text), finding, config.requiredLabels, context) : [];
  fixes.push(ignoreRuleFix(text, finding));
  return fixes;
}
