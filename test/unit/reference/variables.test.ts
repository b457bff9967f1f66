import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { expandVariables } from '../../../src/core/reference/variables';

const scope: Record<string, string | null> = { BASE: 'alpine:3.19', EMPTY: '', NOVALUE: null };
const lookup = (name: string) => (name in scope ? scope[name] : undefined);

describe('expandVariables', () => {
  const cases: [string, string | undefined][] = [
    ['$BASE', 'alpine:3.19'],
    ['${BASE}', 'alpine:3.19'],
    ['repo/${BASE}-x', 'repo/alpine:3.19-x'],
    ['${MISSING:-debian:12.5}', 'debian:12.5'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY-fallback}', ''],
    ['${BASE:+set}', 'set'],
    ['${MISSING:+set}', ''],
    ['${NOVALUE:-default}', 'default'],
    ['${NOVALUE}', undefined],
    ['$MISSING', undefined],
    ['${MISSING:?must be set}', undefined],
    ['plain', 'plain'],
  ];
  for (const [text, expected] of cases) {
    it(`${text} → ${String(expected)}`, () => assert.equal(expandVariables(text, lookup), expected));
  }
  it('keeps an escaped dollar literal', () => assert.equal(expandVariables('a\\$BASE', lookup), 'a$BASE'));
  it('honours a backtick escape character', () => assert.equal(expandVariables('a`$BASE', lookup, '`'), 'a$BASE'));
});
