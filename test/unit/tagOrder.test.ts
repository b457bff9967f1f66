import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { compareNatural, sortTags } from '../../src/core/registry/tagOrder';

describe('the tag order shared by the explorer and steward ls', () => {
  it('puts version tags first, newest first, then the rest in natural order', () => {
    const tags = ['pr-17', 'latest', '1.9.0', 'pr-9', '1.10.0', 'v1.2', '2.0.0-rc.10', 'main', '2.0.0', '2.0.0-rc.9', 'edge', '1', 'sha-3f2a1bc'];
    assert.deepEqual(sortTags(tags, 'version'), ['2.0.0', '2.0.0-rc.10', '2.0.0-rc.9', '1.10.0', '1.9.0', 'v1.2', '1', 'edge', 'latest', 'main', 'pr-9', 'pr-17', 'sha-3f2a1bc']);
  });
  it('does not read numbers inside other tags as versions (pr-17 is no release 17)', () => {
    assert.deepEqual(sortTags(['pr-17', '3.1.0', 'pr-9', 'build-100', 'build-20'], 'version'), ['3.1.0', 'build-20', 'build-100', 'pr-9', 'pr-17']);
  });
  it('orders variants of one version after the plain release, and naturally among themselves', () => {
    assert.deepEqual(sortTags(['20-alpine', '20.11.1-alpine3.9', '20.11.1', '20.11.1-alpine3.19', '21'], 'version'), ['21', '20.11.1', '20.11.1-alpine3.19', '20.11.1-alpine3.9', '20-alpine']);
  });
  it('sorts by name naturally, and by date newest first with undated tags last in version order', () => {
    assert.deepEqual(sortTags(['b', 'pr-17', 'A', '1.10.0', 'pr-9', '1.9.0'], 'name'), ['1.9.0', '1.10.0', 'A', 'b', 'pr-9', 'pr-17']);
    const created: Record<string, string> = { old: '2023-01-01T00:00:00Z', new: '2024-06-01T00:00:00Z' };
    assert.deepEqual(sortTags(['old', 'pr-9', 'new', '1.0.0'], 'date', (tag) => created[tag]), ['new', 'old', '1.0.0', 'pr-9']);
  });
  it('is a total order: case variants never tie', () => {
    assert.ok(compareNatural('Latest', 'latest') !== 0);
    assert.deepEqual(sortTags(['latest', 'Latest'], 'name'), sortTags(['Latest', 'latest'], 'name'));
  });
});
