import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MAX_CHECKED_VALUE_LENGTH } from '../../../src/core/dockerfile/labelValues';
import { readLintableFile } from '../../../src/core/lint/inputLimits';
import { filesInside } from '../../../src/core/workspace/safeFiles';
import { MAX_EXPANDED_CHARACTERS } from '../../../src/core/reference/variables';
import { doublingArgs, hugeFile, hugeLicenses, longLine, manyDeclarations, manyImages, manyStages } from '../../hostileInputs';
import type { HostileFile } from '../../hostileInputs';
import { hits, lint } from '../../helpers';

// Each hostile class must end (the test timeout is the bound) with the finding that names the
// problem; before these limits they overflowed the stack, ran out of memory or went quadratic.
const BOUND = { timeout: 120_000 };

const lintHostile = ({ path, text }: HostileFile) => lint(path, text);

describe('lint on hostile input', () => {
  it('reports a file over 16 MiB as one file-invalid finding at its start, without parsing it', BOUND, () => {
    const findings = lintHostile(hugeFile());
    assert.deepEqual(hits(findings), ['file-invalid@1:1']);
    assert.match(findings[0]!.message, /over the 16777216 that are checked/);
  });

  it('reports a line over 524,288 characters as one file-invalid finding on that line', BOUND, () => {
    const findings = lintHostile(longLine());
    assert.deepEqual(hits(findings), ['file-invalid@2:1']);
    assert.match(findings[0]!.message, /^Line 2 has 524297 characters, over the 524288/);
  });

  it('reports more than 1,000 stages as one finding at the first FROM too many', BOUND, () => {
    const findings = lintHostile(manyStages());
    assert.deepEqual(hits(findings), ['file-invalid@1001:1']);
    assert.match(findings[0]!.message, /more than 1000 stages/);
  });

  it('stops variable expansion after 1 MiB per file and lints the rest of the file', BOUND, () => {
    assert.deepEqual(hits(lintHostile(doublingArgs()), 'image-latest'), ['image-latest@10042:6']);
    // Within the budget expansion still resolves: 18 doublings (2^19 characters substituted), then 2^18 in FROM.
    const withinBudget = `ARG A0=x\n${Array.from({ length: 18 }, (_, index) => `ARG A${index + 1}=\${A${index}}\${A${index}}`).join('\n')}\nFROM nginx:\${A18}\n`;
    assert.ok(2 ** 19 + 2 ** 18 <= MAX_EXPANDED_CHARACTERS);
    assert.deepEqual(hits(lint('Dockerfile', withinBudget), 'image-invalid-reference'), ['image-invalid-reference@20:6']);
  });

  it('looks variables up among 200,000 declarations in one stage without reading them all each time', BOUND, () => {
    assert.deepEqual(hits(lintHostile(manyDeclarations()), 'label-undefined-variable'), ['label-undefined-variable@200003:7']);
  });

  it('reports a 1 MB licenses value as too long to check, without repeating it', BOUND, () => {
    const findings = lintHostile(hugeLicenses()).filter((finding) => finding.rule === 'label-invalid-value');
    assert.deepEqual(hits(findings), ['label-invalid-value@2:7']);
    assert.match(findings[0]!.message, /^The value of "org\.opencontainers\.image\.licenses" is too long to check \(\d+ characters, over 4096\)\.$/);
    // At the bound the value is still checked.
    const atBound = `FROM alpine:3.19.1\nLABEL org.opencontainers.image.licenses="${'M'.repeat(MAX_CHECKED_VALUE_LENGTH)}"\n`;
    assert.match(lint('Dockerfile', atBound).find((finding) => finding.rule === 'label-invalid-value')!.message, /is not an SPDX license expression/);
  });

  it('reads 150,000 images from one YAML document and checks map keys for duplicates in one pass', BOUND, () => {
    const file = manyImages();
    assert.deepEqual(hits(lintHostile(file)), ['image-latest@150002:18']);
    const duplicated = lint(file.path, `${file.text}  s0: {image: "nginx:latest"}\n`);
    // The duplicate is reported and the document still checked.
    assert.deepEqual(hits(duplicated), ['image-latest@150002:18', 'file-invalid@150003:3', 'image-latest@150003:16']);
    assert.match(duplicated[1]!.message, /^duplicate key "s0"/);
  });
});

describe('readLintableFile', () => {
  const root = mkdtempSync(join(tmpdir(), 'steward-hostile-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('reads a regular file, and refuses FIFOs, devices and files over 16 MiB without blocking', BOUND, async () => {
    // One reader for every file, as `steward check` reads a tree: the root's real path is looked up once, every file's each time.
    const files = filesInside(root);
    writeFileSync(join(root, 'Dockerfile'), 'FROM alpine:3.19.1\n');
    assert.equal(await readLintableFile(files, join(root, 'Dockerfile')), 'FROM alpine:3.19.1\n');
    writeFileSync(join(root, 'empty.yaml'), '');
    assert.equal(await readLintableFile(files, join(root, 'empty.yaml')), '');
    execFileSync('mkfifo', [join(root, 'pipe')]);
    symlinkSync('pipe', join(root, 'pipe.Dockerfile'));
    await assert.rejects(readLintableFile(files, join(root, 'pipe.Dockerfile')), /is not a regular file/);
    symlinkSync('/dev/zero', join(root, 'zero.Dockerfile'));
    await assert.rejects(readLintableFile(files, join(root, 'zero.Dockerfile')), /leads outside/);
    const outside = mkdtempSync(join(tmpdir(), 'steward-outside-'));
    after(() => rmSync(outside, { recursive: true, force: true }));
    writeFileSync(join(outside, 'x.yaml'), 'a: 1\n');
    symlinkSync(outside, join(root, 'linked'));
    await assert.rejects(readLintableFile(files, join(root, 'linked', 'x.yaml')), /linked\/x\.yaml leads outside/);
    // Symlinks that stay inside are followed: to a file, and to a folder read before through its own path.
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'sub', 'y.yaml'), 'b: 2\n');
    assert.equal(await readLintableFile(files, join(root, 'sub', 'y.yaml')), 'b: 2\n');
    symlinkSync('sub', join(root, 'alias'));
    symlinkSync(join('sub', 'y.yaml'), join(root, 'y-link.yaml'));
    assert.equal(await readLintableFile(files, join(root, 'alias', 'y.yaml')), 'b: 2\n');
    assert.equal(await readLintableFile(files, join(root, 'y-link.yaml')), 'b: 2\n');
    symlinkSync(join(outside, 'x.yaml'), join(root, 'sub', 'out.yaml'));
    await assert.rejects(readLintableFile(files, join(root, 'sub', 'out.yaml')), /sub\/out\.yaml leads outside/);
    await assert.rejects(readLintableFile(files, join(root, 'sub', 'missing.yaml')), /ENOENT.*realpath/);
    await assert.rejects(readLintableFile(filesInside('/dev'), '/dev/zero'), /is not a regular file/);
    writeFileSync(join(root, 'huge.Dockerfile'), hugeFile().text);
    await assert.rejects(readLintableFile(files, join(root, 'huge.Dockerfile')), /over the 16777216 allowed/);
    writeFileSync(join(root, 'large.yaml'), 'a'.repeat(3_000_000));
    assert.equal((await readLintableFile(files, join(root, 'large.yaml'))).length, 3_000_000);
  });
});
