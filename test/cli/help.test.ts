// What the CLI says to someone finding their way: per-command help, typos, and why it did or did not do something.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { COMMAND_HELP, COMMAND_NAMES } from '../../src/cli/usage';
import { editDistance, nearestWord } from '../../src/cli/nearestWord';
import { REPO_ROOT } from '../helpers';
import { writeOciLayout } from '../integration/fixtures';
import { stewardIn } from '../integration/stewardCli';

const root = mkdtempSync(join(tmpdir(), 'steward-help-'));
after(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, '.git'));
const steward = stewardIn(root);

describe('steward <command> --help', () => {
  it('prints that command\'s synopsis, options and exit codes, and none of another command\'s', async () => {
    for (const name of COMMAND_NAMES) {
      const { code, stdout } = await steward([name, '--help'], root);
      assert.equal(code, 0, name);
      assert.ok(stdout.startsWith(`Usage:\n  steward ${name}`), `${name}: ${stdout.slice(0, 80)}`);
      assert.ok(stdout.includes(COMMAND_HELP[name].options), `${name} lists its options`);
      assert.match(stdout, /\nExit codes: 0 /, name);
      for (const other of COMMAND_NAMES.filter((candidate) => candidate !== name)) assert.ok(!stdout.includes(`steward ${other} `), `${name}'s help mentions ${other}`);
    }
  });

  it('adds the registry flags only to commands that talk to registries', async () => {
    assert.match((await steward(['pin', '-h'], root)).stdout, /--insecure-registry <host>/);
    assert.doesNotMatch((await steward(['gate', '-h'], root)).stdout, /--insecure-registry/);
  });

  it('steward --help still prints every command with its options', async () => {
    const { code, stdout } = await steward(['--help'], root);
    assert.equal(code, 0);
    for (const name of COMMAND_NAMES) {
      assert.ok(stdout.includes(COMMAND_HELP[name].synopsis), `the overview names ${name}`);
      assert.ok(stdout.includes(`${name} options:\n${COMMAND_HELP[name].options}`), `${name}'s options are there`);
    }
  });

  it('a usage error inside a command is followed by that command\'s help', async () => {
    const { code, stderr } = await steward(['check', '--format', 'xml'], root);
    assert.equal(code, 2);
    assert.match(stderr, /^steward: --format must be one of text, json, sarif \(got "xml"\)\n\nUsage:\n {2}steward check/);
    assert.doesNotMatch(stderr, /--strategy/);
  });
});

describe('an unknown command', () => {
  it('suggests the nearest command for a slip of the keyboard (exit 2)', async () => {
    for (const [typed, meant] of [['chekc', 'check'], ['promte', 'promote'], ['inpsect', 'inspect'], ['SBOM', 'sbom']] as const) {
      const { code, stderr } = await steward([typed], root);
      assert.equal(code, 2);
      assert.ok(stderr.startsWith(`steward: unknown command "${typed}" (did you mean "${meant}"?)\n\nUsage:\n`), stderr.slice(0, 120));
    }
  });

  it('suggests nothing for a word that is merely short and different', async () => {
    const { stderr } = await steward(['lint'], root);
    assert.ok(stderr.startsWith('steward: unknown command "lint"\n'), stderr.slice(0, 80));
    assert.equal(nearestWord('lint', COMMAND_NAMES), undefined);
  });

  it('counts a swap of neighbours as one edit', () => {
    assert.deepEqual([editDistance('chekc', 'check'), editDistance('check', 'check'), editDistance('', 'ls'), editDistance('gate', 'sbom')], [1, 0, 2, 4]);
  });
});

describe('steward check on a path that does not exist', () => {
  it('names the path and exits 2 without a report that would read as clean', async () => {
    const { code, stdout, stderr } = await steward(['check', 'nope/'], root);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(stderr, 'steward: no such file or folder: nope/\n');
  });
});

describe('steward pin --dry-run', () => {
  it('says why it left each reference alone, and changes nothing', async () => {
    const dir = join(root, 'pin');
    mkdirSync(dir);
    const dockerfile = 'ARG BASE=nginx\nFROM $BASE:1.25\nFROM alpine\n';
    writeFileSync(join(dir, 'Dockerfile'), dockerfile);
    const { code, stdout, stderr } = await steward(['pin', '--dry-run'], dir);
    assert.equal(code, 0);
    assert.equal(stdout, '');
    assert.equal(stderr, [
      'Dockerfile:2:6: left $BASE:1.25 as it is: built from variables ($BASE:1.25): pin the ARG default instead',
      'Dockerfile:3:6: left alpine as it is: no tag: choose a version tag first, then pin it',
      'Would pin 0 references; 0 failed; 2 left as they are.',
      '',
    ].join('\n'));
    assert.equal(readFileSync(join(dir, 'Dockerfile'), 'utf8'), dockerfile);
  });
});

describe('steward inspect without a tag', () => {
  it('says it inspected latest, and names the image as oci:DIR:latest', async () => {
    const layout = join(root, 'layout');
    writeOciLayout(layout, [{ tag: 'latest', labels: { 'org.opencontainers.image.title': 'app' } }]);
    const { code, stdout, stderr } = await steward(['inspect', 'oci:layout'], root);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, 'steward: no tag or digest given: inspecting the tag latest\n');
    assert.match(stdout, /^Reference: {3}oci:layout:latest\n/);
  });

  it('on a layout without latest, the note explains the failure', async () => {
    const { code, stderr } = await steward(['inspect', 'oci:examples/oci-layout'], REPO_ROOT);
    assert.equal(code, 1);
    assert.match(stderr, /^steward: no tag or digest given: inspecting the tag latest\nsteward: resolve .*oci-layout:latest: no image tagged latest/);
  });

  it('a path that is not a layout folder says so, not ENOTDIR', async () => {
    writeFileSync(join(root, 'not-a-folder'), '');
    const { code, stderr } = await steward(['inspect', 'oci:not-a-folder:1.0'], root);
    assert.equal(code, 1);
    assert.match(stderr, /not-a-folder: not an OCI image layout folder \(no index\.json in it\)\n$/);
  });
});
