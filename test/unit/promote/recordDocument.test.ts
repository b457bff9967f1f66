import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { promotionRecordMarkdown } from '../../../src/core/promote/recordDocument';

describe('promotion record as a document', () => {
  const record = {
    source: 'r.example/staging/app:1.4.2', target: 'r.example/prod/app:1.4.2', digest: 'sha256:ab12', strategy: 'repository',
    gates: [{ gate: 'scan', pass: false, detail: '2 CRITICAL at or above HIGH' }, { gate: 'sbom', pass: true, detail: 'SBOM attached' }],
    overrides: [{ gate: 'scan', detail: '2 CRITICAL at or above HIGH', reason: 'hotfix, CVE not reachable' }],
    time: '2024-05-01T12:00:00.000Z', who: 'dev@laptop', tool: 'artifact-steward',
  };
  it('names source, target, digest, strategy, when and who, each gate with its result, and the override reason', () => {
    const markdown = promotionRecordMarkdown(JSON.stringify(record));
    for (const line of [
      '# Promotion to r.example/prod/app:1.4.2',
      '| Source | r.example/staging/app:1.4.2 |',
      '| Strategy | repository (another repository of the registry, by blob mounts) |',
      '| When | 2024-05-01 12:00:00 UTC |',
      '| Who | dev@laptop |',
      '| scan | **failed, overridden** | 2 CRITICAL at or above HIGH |',
      '| sbom | passed | SBOM attached |',
      '- **scan** (2 CRITICAL at or above HIGH), because: hotfix, CVE not reachable',
    ]) assert.ok(markdown.split('\n').includes(line), `missing ${line} in\n${markdown}`);
  });
  it('keeps markup, links and line breaks of the record out of the document, and says what is missing', () => {
    const markdown = promotionRecordMarkdown(JSON.stringify({ ...record, who: '<img src=x>|[a](http://e)\nnext', gates: [], overrides: [], time: 5 }));
    assert.ok(markdown.includes('| Who | \\<img src=x\\>\\|\\[a\\](http://e) next |'), markdown);
    assert.ok(markdown.includes('No gates applied to this target.'));
    assert.ok(markdown.includes('None: no failed gate was overridden.'));
    assert.match(promotionRecordMarkdown('{"source": "x"}'), /\| Target \| _not recorded_ \|/);
    assert.match(promotionRecordMarkdown('not json'), /not valid JSON/);
  });
});
