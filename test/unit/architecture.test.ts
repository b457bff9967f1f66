import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ALL_RULES } from '../../src/core/lint/ruleRegistry';
import { REPO_ROOT } from '../helpers';

const ROOT = REPO_ROOT;

function sourceFiles(dir: string): string[] {
  const absolute = join(ROOT, dir);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx|js|mjs)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)].map((match) => match[1]!);
}

/** Allowed imports from architecture-and-style.md: core never reaches the editor, the CLI or the webviews. */
const BOUNDARIES: [string, RegExp, string][] = [
  ['src/core', /^vscode$|\/(extension|cli|webview)\//, 'src/core must not import vscode, src/extension, src/cli or webview'],
  ['src/cli', /^vscode$|\/extension\//, 'src/cli must not import vscode or src/extension'],
  ['src/shared', /^vscode$|^node:|\/(core|extension|cli)\//, 'src/shared holds plain message types only'],
  ['webview', /^vscode$|^node:|src\/(core|extension|cli)\//, 'webview/ may import src/shared only'],
];

describe('architecture', () => {
  for (const [dir, forbidden, rule] of BOUNDARIES) {
    it(rule, () => {
      const offenders = sourceFiles(dir).flatMap((file) => imports(file).filter((spec) => forbidden.test(spec)).map((spec) => `${relative(ROOT, file)} imports ${spec}`));
      assert.deepEqual(offenders, []);
    });
  }
  it('the boundary check sees imports (it would catch a vscode import in core)', () => {
    assert.ok(sourceFiles('src/core').length > 10);
    assert.ok(imports(join(ROOT, 'src/extension/extension.ts')).includes('vscode'));
  });
  it('every rule has a documentation page and a row in the README rules table', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const rule of ALL_RULES) {
      assert.ok(existsSync(join(ROOT, 'docs/rules', `${rule.id}.md`)), `docs/rules/${rule.id}.md is missing`);
      assert.ok(readme.includes(`(docs/rules/${rule.id}.md)`), `README does not link docs/rules/${rule.id}.md`);
    }
  });
  it('contributed commands and the commands the extension registers are the same set', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const contributed = (manifest.contributes.commands as { command: string }[]).map((command) => command.command).sort();
    const commandFiles = sourceFiles('src/extension/commands').concat(join(ROOT, 'src/extension/log.ts'));
    const declared = commandFiles.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/_COMMAND = '([^']+)'/g)].map((match) => match[1]!)).sort();
    const registered = /const COMMANDS: readonly Command\[\] = \[([^\]]+)\]/.exec(readFileSync(join(ROOT, 'src/extension/extension.ts'), 'utf8'))![1]!.split(',').map((name) => name.trim()).filter(Boolean);
    assert.deepEqual(declared, contributed);
    assert.equal(registered.length, contributed.length, `extension.ts registers ${registered.join(', ')}`);
    for (const id of contributed) assert.match(id, /^artifactSteward\.[a-z]+\.[a-z]+[A-Z][A-Za-z]*$/, `${id} does not read <prefix>.<area>.<verbNoun>`);
  });

  it('package.json keeps the extension manifest promises', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(manifest.name, 'artifact-steward');
    assert.equal(manifest.displayName, 'Artifact Steward');
    assert.equal(manifest.bin.steward, './dist/cli.js');
    const [major, minor] = /(\d+)\.(\d+)/.exec(manifest.engines.vscode)!.slice(1).map(Number) as [number, number];
    assert.ok(major === 1 && minor <= 100, `engines.vscode ${manifest.engines.vscode} is newer than 1.100`);
    assert.ok(manifest.devDependencies['@types/vscode'].includes(`1.${minor}`), '@types/vscode must match engines.vscode');
  });
});
