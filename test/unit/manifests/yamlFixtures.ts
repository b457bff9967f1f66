// The YAML the suites hold, for the tests that compare a shortcut with the full scan over all of it.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { dedent, REPO_ROOT } from '../../helpers';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** `\n`, `\\`, `` \` `` and `\$` as a TypeScript literal means them; other escapes are kept as written. */
function unescapeLiteral(raw: string): string {
  return raw.replace(/\\([\s\S])/g, (_match, char: string) => ({ n: '\n', t: '\t', r: '\r' })[char as 'n'] ?? (char === '\\' || char === '`' || char === '$' || char === "'" || char === '"' ? char : `\\${char}`));
}

/** Every YAML-looking string literal of the test sources: the inline fixtures of every suite. */
export function inlineFixtures(): { where: string; text: string }[] {
  const found: { where: string; text: string }[] = [];
  for (const file of filesUnder(join(REPO_ROOT, 'test')).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/`((?:[^`\\]|\\[\s\S])*)`|'((?:[^'\\\n]|\\.)*\\n(?:[^'\\\n]|\\.)*)'/g)) {
      const text = unescapeLiteral(match[1] ?? match[2]!);
      if (text.includes(':')) found.push({ where: `${relative(REPO_ROOT, file)}:${source.slice(0, match.index).split('\n').length}`, text: match[1] !== undefined && text.startsWith('\n') ? dedent(text) : text });
    }
  }
  return found;
}

/** Every .yaml/.yml file under test/ and examples/. */
export function yamlFixtureFiles(): string[] {
  return [...filesUnder(join(REPO_ROOT, 'test')), ...filesUnder(join(REPO_ROOT, 'examples'))].filter((file) => /\.ya?ml$/i.test(file));
}
