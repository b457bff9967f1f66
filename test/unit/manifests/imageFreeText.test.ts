import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, it } from 'node:test';
import { mayNameImages } from '../../../src/core/manifests/imageFreeText';
import { scanYaml } from '../../../src/core/manifests/scan';
import { hits, lint, REPO_ROOT, seededRandom } from '../../helpers';
import { inlineFixtures, yamlFixtureFiles } from './yamlFixtures';

/** What a file the look calls image-free would have lost: the images the scan finds in it. */
function lostImages(path: string, text: string): string[] {
  if (mayNameImages(text)) return [];
  return scanYaml(path, text).images.map((image) => image.text);
}

/** The text as a template (a `{{ }}` in each document), broken (an unclosed flow list), with a repeated key, and combinations. */
function variants(text: string, random: () => number): string[] {
  const documents = text.split('\n---\n');
  const templated = (document: string) => (random() < 0.5 ? `# {{ include "chart.labels" . }}\n${document}` : `${document}\nnote: "{{ .Values.note }}"`);
  const broken = (document: string) => `${document}\nbroken: [1, 2\n`;
  const repeated = (document: string) => `${document}\nsame: 1\nsame: 2`;
  const every = (change: (document: string) => string) => documents.map(change).join('\n---\n');
  const first = (change: (document: string) => string) => [change(documents[0]!), ...documents.slice(1)].join('\n---\n');
  return [text, every(templated), every(broken), every(repeated), every((document) => broken(templated(document))), every((document) => repeated(templated(document))),
    first(templated) + '\n---\n' + broken('plain: text'), `${every(templated)}\n---\n${repeated('plain: text')}`];
}

/** The paths every extractor answers to, so each text is tried as each kind of file. */
const PATHS = ['k8s/app.yaml', 'kustomization.yaml', 'compose.yaml', 'values.yaml', '.github/workflows/ci.yml', '.gitlab-ci.yml', 'plain.yaml'];

/** A random YAML text near the look's edge: nested maps and lists whose keys and values are, almost are, or spell image-bearing words. */
function randomText(random: () => number): string {
  const pick = <T>(choices: readonly T[]): T => choices[Math.floor(random() * choices.length)]!;
  const keys = ['image', 'images', 'Image', 'imag', 'img', 'container', 'containers', 'initContainers', 'services', 'service', 'uses', 'name', 'newName', 'newTag',
    'repository', 'registry', 'tag', 'digest', 'hub', 'global', 'kind', 'apiVersion', 'spec', 'template', 'jobs', 'build', 'steps', 'script', 'web',
    '"\\x69mage"', '"\\u0069mage"', "'image'", '"image"', '"container"', '<<', 'data', 'description'];
  const scalars = ['nginx:1.25', 'alpine', 'latest', '1.2.3', 'docker://alpine:3', '"docker:\\/\\/busybox"', 'Deployment', 'Kustomization', 'v1', 'apps/v1',
    'ghcr.io/acme/app', '"{{ .Values.x }}"', "'quoted image text'", '""', 'sha256:' + 'a'.repeat(64)];
  const render = (depth: number, indent: string, out: string[]): void => {
    for (let entry = 0, count = 1 + Math.floor(random() * 4); entry < count; entry++) {
      const key = pick(keys);
      const shape = depth >= 4 ? 0 : random();
      if (shape < 0.5) {
        out.push(`${indent}${key}: ${pick(scalars)}`);
      } else if (shape < 0.75) {
        out.push(`${indent}${key}:`);
        render(depth + 1, `${indent}  `, out);
      } else if (shape < 0.9) {
        out.push(`${indent}${key}:`);
        for (let item = 0, items = 1 + Math.floor(random() * 3); item < items; item++) {
          const lines: string[] = [];
          render(depth + 1, `${indent}    `, lines);
          out.push(`${indent}  - ${lines.join('\n').trimStart()}`);
        }
      } else {
        out.push(`${indent}${key}: [${pick(scalars)}, ${pick(scalars)}]`);
      }
    }
  };
  const documents: string[] = [];
  for (let document = 0, count = 1 + Math.floor(random() * 2); document < count; document++) {
    const lines: string[] = random() < 0.3 ? [`apiVersion: ${pick(['v1', 'apps/v1'])}`, `kind: ${pick(['Pod', 'Deployment', 'Kustomization'])}`] : [];
    render(0, '', lines);
    documents.push(lines.join('\n'));
  }
  return documents.join('\n---\n') + '\n';
}

describe('the image-free look before a YAML parse', () => {
  it('never skips a fixture file of test/ or examples/ that holds an image', () => {
    const files = yamlFixtureFiles();
    assert.ok(files.length > 0);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const path of [relative(REPO_ROOT, file), ...PATHS]) assert.deepEqual(lostImages(path, text), [], `${file} as ${path}`);
    }
  });

  it('never skips an inline fixture of any test suite that holds an image', () => {
    const fixtures = inlineFixtures();
    // The suites hold hundreds of inline YAML fixtures; a regex that found none would test nothing.
    assert.ok(fixtures.length > 200, `only ${fixtures.length} inline fixtures found`);
    let imageFree = 0;
    for (const { where, text } of fixtures) {
      if (!mayNameImages(text)) imageFree += 1;
      for (const path of PATHS) assert.deepEqual(lostImages(path, text), [], `${where} as ${path}`);
    }
    assert.ok(imageFree > 0, 'no inline fixture is image-free: the look was never exercised');
  });

  it('never calls image-free a random text that holds an image (500 texts near the edge, each also templated, broken and with a repeated key, as every kind of file)', () => {
    const random = seededRandom(17);
    let withImages = 0;
    let imageFree = 0;
    for (let round = 0; round < 500; round++) {
      for (const text of variants(randomText(random), random)) {
        if (!mayNameImages(text)) imageFree += 1;
        for (const path of PATHS) {
          const found = lostImages(path, text);
          if (mayNameImages(text) && scanYaml(path, text).images.length > 0) withImages += 1;
          assert.deepEqual(found, [], `${path}:\n${text}`);
        }
      }
    }
    assert.ok(imageFree > 100, `only ${imageFree} random texts were image-free`);
    assert.ok(withImages > 1_500, `only ${withImages} random texts held images`);
  });

  it('parses every file whose only image is under each image-bearing word, spelled plainly, with escapes or joined halves', () => {
    const cases: [path: string, text: string, image: string][] = [
      ['values.yaml', 'app:\n  image: nginx:latest\n', 'nginx:latest'],
      ['kustomization.yaml', 'images:\n  - name: app\n    newTag: latest\n', 'app:latest'],
      ['.github/workflows/ci.yml', 'jobs:\n  build:\n    container: node:latest\n', 'node:latest'],
      ['.gitlab-ci.yml', 'services: [postgres:latest]\n', 'postgres:latest'],
      ['.github/workflows/ci.yml', 'jobs:\n  build:\n    steps:\n      - uses: docker://alpine:latest\n', 'alpine:latest'],
      ['.github/workflows/ci.yml', 'jobs:\n  build:\n    steps:\n      - uses: "docker:\\/\\/alpine:latest"\n', 'alpine:latest'],
      ['.github/workflows/ci.yml', 'jobs:\n  build:\n    steps:\n      - uses: "\\x64ocker://alpine:latest"\n', 'alpine:latest'],
      ['values.yaml', 'app:\n  "\\x69mage": nginx:latest\n', 'nginx:latest'],
      ['values.yaml', 'app:\n  "\\u0069mage": nginx:latest\n', 'nginx:latest'],
      ['values.yaml', 'app:\n  "\\U00000069mage": nginx:latest\n', 'nginx:latest'],
      // Only an explicit key (`? `) may span lines.
      ['values.yaml', 'app:\n  ? "ima\\\n    ge"\n  : nginx:latest\n', 'nginx:latest'],
    ];
    for (const [path, text, image] of cases) {
      assert.equal(mayNameImages(text), true, text);
      assert.deepEqual(scanYaml(path, text).images.map((found) => found.text), [image], text);
    }
  });

  it('is no reason to leave a file unparsed: broken and duplicate-keyed image-free YAML is reported, templated or not', () => {
    assert.deepEqual(hits(lint('config/settings.yaml', 'data:\n  a: [1, 2\n  b: c\n')), ['file-invalid@3:3']);
    assert.deepEqual(hits(lint('config/settings.yaml', 'data:\n  a: 1\n  a: 2\n')), ['file-invalid@3:3']);
    // Argo's {{workflow.name}} in a string does not make the repeated key less real.
    const argo = 'kind: Workflow\nmetadata:\n  annotations: {a: b}\n  annotations: {c: d}\nspec:\n  arguments: ["{{workflow.name}}"]\n';
    assert.equal(mayNameImages(argo), false);
    assert.deepEqual(hits(lint('wf.yaml', argo)), ['file-invalid@4:3']);
    // A template that does not parse is skipped, as ever.
    assert.deepEqual(hits(lint('templates/x.yaml', 'data:\n  {{- toYaml .Values.data | nindent 2 }}\n')), []);
    assert.deepEqual(hits(lint('k8s/app.yaml', `spec:\n  containers: [{name: web, image: nginx:1.25.3}\n`), 'file-invalid'), ['file-invalid@3:1']);
  });
});
