/**
 * A promotion record (`application/vnd.artifact-steward.promotion.v1+json`) as Markdown people
 * read: source, target, digest, strategy, when, who, each gate with its result, and the overrides
 * with their reason. Read tolerantly: a field that is missing or of another type says so.
 */

const STRATEGY_WORDS: Readonly<Record<string, string>> = {
  tag: 'tag (another tag in the same repository)',
  repository: 'repository (another repository of the registry, by blob mounts)',
  registry: 'registry (a verified copy to another registry)',
};

/**
 * Text safe inside a table cell or a list item: no emphasis, code, links, HTML or line breaks
 * from the record (only characters that mean something mid-line are escaped, so the source stays readable).
 */
function text(value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return '_not recorded_';
  return String(value).replace(/\s+/g, ' ').replace(/[\\`*_[\]<>|~]/g, '\\$&') || '_empty_';
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null) : [];
}

function when(value: unknown): string {
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(time) ? text(value) : text(new Date(time).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'));
}

export function promotionRecordMarkdown(content: string): string {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(content);
    record = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed as Record<string, unknown> : {};
  } catch {
    return '# Promotion record\n\nThis attachment is not valid JSON, so it cannot be shown as a promotion record.\n';
  }
  const gates = records(record.gates);
  const overrides = records(record.overrides);
  const overridden = new Set(overrides.map((override) => override.gate));
  const strategy = typeof record.strategy === 'string' ? STRATEGY_WORDS[record.strategy] ?? text(record.strategy) : text(record.strategy);
  return [
    `# Promotion to ${text(record.target)}`,
    '',
    '| | |',
    '|---|---|',
    `| Source | ${text(record.source)} |`,
    `| Target | ${text(record.target)} |`,
    `| Digest | ${text(record.digest)} |`,
    `| Strategy | ${strategy} |`,
    `| When | ${when(record.time)} |`,
    `| Who | ${text(record.who)} |`,
    '',
    '## Gates',
    '',
    ...(gates.length === 0 ? ['No gates applied to this target.'] : [
      '| Gate | Result | Detail |',
      '|---|---|---|',
      ...gates.map((gate) => `| ${text(gate.gate)} | ${gate.pass === true ? 'passed' : overridden.has(gate.gate) ? '**failed, overridden**' : '**failed**'} | ${text(gate.detail)} |`),
    ]),
    '',
    '## Overrides',
    '',
    ...(overrides.length === 0 ? ['None: no failed gate was overridden.'] : overrides.map((override) => `- **${text(override.gate)}** (${text(override.detail)}), because: ${text(override.reason)}`)),
    '',
  ].join('\n');
}
