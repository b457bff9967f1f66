import { relative } from 'node:path';
import type { Range, Severity } from '../../core/lint/finding';
import { ruleDocsUrl } from '../../core/lint/rule';
import { ALL_RULES } from '../../core/lint/ruleRegistry';
import { toPosix } from '../../core/workspace/walk';
import type { FileResult } from '../check';

const LEVEL: Readonly<Record<Severity | 'off', string>> = { error: 'error', warning: 'warning', info: 'note', off: 'none' };

function region(range: Range) {
  return { startLine: range.start.line + 1, startColumn: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 };
}

/** SARIF 2.1.0 as GitHub code scanning accepts it: rule metadata with help URIs, paths relative to the checkout. */
export function formatSarif(results: readonly FileResult[], cwd: string, version: string): string {
  const ruleIndex = new Map(ALL_RULES.map((rule, index) => [rule.id, index]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'Artifact Steward',
          version,
          semanticVersion: version,
          informationUri: 'https://github.com/artifact-steward/artifact-steward',
          rules: ALL_RULES.map((rule) => ({
            id: rule.id,
            name: rule.id.replace(/(^|-)([a-z])/g, (_match, _dash: string, letter: string) => letter.toUpperCase()),
            shortDescription: { text: rule.description.split(/(?<=\.)\s/)[0] },
            fullDescription: { text: rule.description },
            helpUri: ruleDocsUrl(rule.id),
            help: { text: `${rule.description} See ${ruleDocsUrl(rule.id)}`, markdown: `${rule.description} [Documentation](${ruleDocsUrl(rule.id)})` },
            defaultConfiguration: { level: LEVEL[rule.defaultSeverity], enabled: rule.defaultSeverity !== 'off' },
            properties: { tags: [rule.id.startsWith('label') ? 'labels' : rule.id.startsWith('image') ? 'supply-chain' : 'correctness'] },
          })),
        },
      },
      originalUriBaseIds: { '%SRCROOT%': { uri: new URL(`file://${toPosix(cwd)}/`).href } },
      results: results.flatMap((result) => result.findings.map((finding) => {
        const artifactLocation = { uri: encodeURI(toPosix(relative(cwd, result.file))), uriBaseId: '%SRCROOT%' };
        return {
          ruleId: finding.rule,
          ruleIndex: ruleIndex.get(finding.rule),
          level: LEVEL[finding.severity],
          message: { text: finding.message },
          locations: [{ physicalLocation: { artifactLocation, region: region(finding.range) } }],
          ...(finding.related ? {
            relatedLocations: finding.related.map((related, index) => ({ id: index + 1, message: { text: related.message }, physicalLocation: { artifactLocation, region: region(related.range) } })),
          } : {}),
        };
      })),
      columnKind: 'utf16CodeUnits',
    }],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
