import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { pinCandidates, pinnedText, replaceRanges, retaggedText } from '../../../src/core/registry/pin';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const VALUES = 'image:\n  repository: acme/web\n  tag: "1.4"\nexporter:\n  image:\n    registry: ghcr.io\n    repository: prom/statsd\n    tag: latest\n';

describe('pin candidates', () => {
  it('steward pin leaves untagged references and Helm image maps, saying why', () => {
    const { candidates, skipped } = pinCandidates('Dockerfile', 'FROM alpine\nFROM localhost:5000/app\nFROM nginx:1.27\n');
    assert.deepEqual(candidates.map((candidate) => candidate.written), ['nginx:1.27']);
    assert.deepEqual(skipped.map((skip) => `${skip.written}: ${skip.reason}`), ['alpine: no tag: choose a version tag first, then pin it', 'localhost:5000/app: no tag: choose a version tag first, then pin it']);
    assert.equal(pinCandidates('charts/web/values.yaml', VALUES).candidates.length, 0);
  });

  it('the editor pins an untagged reference as :latest and re-tags it without mistaking a port for a tag', () => {
    const text = 'FROM alpine\nFROM localhost:5000/app\n';
    const { candidates } = pinCandidates('Dockerfile', text, { untagged: true });
    assert.deepEqual(candidates.map((candidate) => [candidate.written, candidate.tag, candidate.holds]), [['alpine', 'latest', 'untagged-reference'], ['localhost:5000/app', 'latest', 'untagged-reference']]);
    assert.equal(replaceRanges(text, candidates.map((candidate) => ({ range: candidate.range, newText: pinnedText(candidate, DIGEST) }))), `FROM alpine:latest@${DIGEST}\nFROM localhost:5000/app:latest@${DIGEST}\n`);
    assert.equal(replaceRanges(text, candidates.map((candidate) => ({ range: candidate.range, newText: retaggedText(candidate, '1.2.3') }))), 'FROM alpine:1.2.3\nFROM localhost:5000/app:1.2.3\n');
  });

  it('the editor rewrites only the tag scalar of a Helm image map (quotes kept), resolving the whole reference', () => {
    const { candidates } = pinCandidates('charts/web/values.yaml', VALUES, { mapTags: true });
    assert.deepEqual(candidates.map((candidate) => [candidate.registry, candidate.repository, candidate.tag, candidate.holds]), [['docker.io', 'acme/web', '1.4', 'map-tag'], ['ghcr.io', 'prom/statsd', 'latest', 'map-tag']]);
    assert.equal(replaceRanges(VALUES, [{ range: candidates[0]!.range, newText: retaggedText(candidates[0]!, '1.4.2') }, { range: candidates[1]!.range, newText: pinnedText(candidates[1]!, DIGEST) }]),
      `image:\n  repository: acme/web\n  tag: "1.4.2"\nexporter:\n  image:\n    registry: ghcr.io\n    repository: prom/statsd\n    tag: latest@${DIGEST}\n`);
  });

  it('a tagged reference keeps everything before its tag when re-tagged', () => {
    const [candidate] = pinCandidates('compose.yaml', 'services:\n  web:\n    image: registry.example.com:5000/team/web:20-alpine\n').candidates;
    assert.equal(retaggedText(candidate!, '20.11.1-alpine3.19'), 'registry.example.com:5000/team/web:20.11.1-alpine3.19');
    assert.equal(pinnedText(candidate!, DIGEST), `registry.example.com:5000/team/web:20-alpine@${DIGEST}`);
  });
});
