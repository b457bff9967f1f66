import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, it } from 'node:test';
import { parseYamlLeniently } from '../../../src/core/manifests/lenientYaml';
import { isCleanPlainYaml } from '../../../src/core/manifests/plainYaml';
import { isGithubWorkflowPath, parseAndScanYaml, scanYaml } from '../../../src/core/manifests/scan';
import { REPO_ROOT, seededRandom } from '../../helpers';
import { inlineFixtures, yamlFixtureFiles } from './yamlFixtures';

/** Where a file stands decides whether `{{ }}` marks it a template (a workflow's `${{ }}` does not). */
const PATHS = ['templates/deployment.yaml', '.github/workflows/ci.yml'];

/**
 * Whether the look at the lines held for `text`: a text it calls clean parses without an error
 * and without a repeated key; one it calls clean where templates are skipped has nothing the full
 * scan reports at such a path; and whatever it says, scanYaml finds exactly what the full scan does.
 */
function agree(text: string, paths: readonly string[]): { clean: boolean; cleanTemplate: boolean; problems: number } {
  const clean = isCleanPlainYaml(text);
  const cleanTemplate = isCleanPlainYaml(text, { templatesSkipped: true });
  let problems = 0;
  if (clean) {
    const errors = parseYamlLeniently(text).documents.flatMap((document) => document.errors.map((error) => error.message));
    assert.deepEqual(errors, [], `called clean but does not parse:\n${text}`);
    assert.ok(cleanTemplate, `clean, yet not where templates are skipped:\n${text}`);
  }
  for (const path of paths) {
    const full = parseAndScanYaml(path, text);
    if (isGithubWorkflowPath(path) ? clean : cleanTemplate) assert.deepEqual(full.problems, [], `called clean but ${path} has problems:\n${text}`);
    assert.deepEqual(scanYaml(path, text), full, `${path}:\n${text}`);
    problems += full.problems.length;
  }
  return { clean, cleanTemplate: cleanTemplate && !clean, problems };
}

const pickFrom = (random: () => number) => <T>(choices: readonly T[]): T => choices[Math.floor(random() * choices.length)]!;

/** Plain block YAML: nested maps and lists, lists at their key's column, block scalars, comments, several documents. */
function plainText(random: () => number): string {
  const pick = pickFrom(random);
  const keys = ['a', 'b', 'name', 'spec', 'type', 'description', 'default', 'app.kubernetes.io/name', 'x-extra', 'field_1', 'items', 'on', 'yes'];
  const scalars = ['1', 'value-1', 'a b c', 'http://example.com/x', '"quoted: # text"', "'single'", '~', 'null', '-1', 'x:y', 'a#b', 'text # comment', '"{{ .Values.x }}"', '-x', '[get, list]', '{grafana_dashboard: "1"}', '{}', '[ ]', `['s', "d", ./x]`, '{a: 1, b: x.y} # c'];
  const render = (depth: number, indent: string, out: string[]): void => {
    const used = new Set<string>();
    for (let entry = 0, count = 1 + Math.floor(random() * 4); entry < count; entry++) {
      let key = pick(keys);
      while (used.has(key)) key = `${key}_`;
      used.add(key);
      const shape = depth >= 4 ? random() * 0.5 : random();
      if (random() < 0.1) out.push(`${pick(['', indent, `${indent}    `])}# a comment`);
      if (shape < 0.45) {
        out.push(`${indent}${key}: ${pick(scalars)}`);
      } else if (shape < 0.55) {
        out.push(`${indent}${key}: ${pick(['|', '|-', '>', '>+'])}`);
        const body = `${indent}${pick(['  ', '    ', ' '])}`;
        for (let line = 0, lines = Math.floor(random() * 4); line < lines; line++) out.push(pick(['', `${body}text ${line}: {{ x }} # not a comment`, `${body}  more\tindented`]));
      } else if (shape < 0.75) {
        out.push(`${indent}${key}:`);
        render(depth + 1, `${indent}  `, out);
      } else {
        out.push(`${indent}${key}:`);
        const itemIndent = random() < 0.3 ? indent : `${indent}  `;
        for (let item = 0, items = 1 + Math.floor(random() * 3); item < items; item++) {
          if (random() < 0.3) {
            out.push(`${itemIndent}- ${pick(scalars)}`);
            continue;
          }
          const lines: string[] = [];
          render(depth + 1, `${itemIndent}  `, lines);
          out.push(`${itemIndent}- ${lines.join('\n').trimStart()}`);
        }
      }
    }
  };
  const documents: string[] = [];
  for (let document = 0, count = 1 + Math.floor(random() * 3); document < count; document++) {
    const lines: string[] = [];
    render(0, '', lines);
    documents.push(lines.join('\n'));
  }
  return `${random() < 0.2 ? '---\n' : ''}${documents.join('\n---\n')}\n`;
}

/** One edit that may break the text, repeat a key, or leave it fine in a way the look cannot tell. */
function mutate(text: string, random: () => number): string {
  const pick = pickFrom(random);
  const lines = text.split('\n');
  const at = Math.floor(random() * lines.length);
  const line = lines[at]!;
  const key = /^( *(?:- +)?)([^:\s]+):/.exec(line);
  const edits: (() => void)[] = [
    () => (lines[at] = ` ${line}`),
    () => (lines[at] = line.replace(/^ {1,2}/, '')),
    () => (lines[at] = line.replace(/^( *)/, '$1\t')),
    () => (lines[at] = `${line}\t# tab`),
    // A repeated key: the line again, or the key quoted the other way.
    () => lines.splice(at, 0, line),
    () => key && lines.splice(at + 1, 0, `${key[1]!.replace(/-/, ' ')}${pick([key[2], `"${key[2]}"`, `'${key[2]}'`])}: again`),
    () => key && (lines[at] = line.replace(`${key[2]}:`, pick([`"${key[2]}":`, `'${key[2]}':`, `${key[2]} :`, `? ${key[2]}\n${key[1]}:`]))),
    () => key && (lines[at] = line.replace(`${key[2]}:`, pick(['true:', 'True:', 'null:', '1:', '01:', '"1":', '~:', '<<:', 'x:', '"a":', 'a:']))),
    () => (lines[at] = `${line} ${pick(['&anchor', '*anchor', '!!str x', ': colon', 'colon:', '[1, 2', '{a: 1}', '"unclosed', "'it''s'", '"esc\\"aped"'])}`),
    // Flow collections the look must refuse: nested, repeated or non-string keys, unclosed, text after, a missing space.
    () => key && (lines[at] = `${key[1]}${key[2]}: ${pick(['{a: 1, a: 2}', '{a: [b]}', '[a, [b]]', '{true: 1}', '{null: 1, Null: 2}', '[a, b', '{a: 1}}', '{a:1}', '[a,]', '[a] x', '{a: "b, c", a: d}', '[a, "b\\"c"]', "['it''s']", '[a, b]: c', '{"a": 1}', '[-]', '[- a]', '{a: b: c}', '[a #b]', '{a: 1}#x'])}`),
    () => key && (lines[at] = `${key[1]}${key[2]}: ${pick(['&a {x: 1}', '*a', '!tag v', '[a, b]', '{{ .Values.x }}', '{{- toYaml . | nindent 4 }}', '- item', '? q', '|2', '>\n\n   x', '|\n     \n  x', '"multi', '%x', '@x', '`x'])}`),
    () => lines.splice(at, 0, pick(['{{- if .Values.enabled }}', '{{- end }}', '  {{- include "x" . | nindent 2 }}', '<<: *a', '...', '--- # doc', '--- x', '%YAML 1.1', '---'])),
    () => (lines[at] = `${line}\r`),
    // A lone CR is a line break to the full scan, which reads it as VS Code does.
    () => (lines[at] = line.replace(/ (?=[^ ]*$)/, '\r')),
    () => (lines[at] = line.replace(': ', pick([':\t', ' :\t', '\t: ']))),
    () => (lines[at] = `\ufeff${line}`),
    () => (lines[at] = line.replace(/ /g, '\u00a0')),
    () => lines.splice(at, 0, ' '.repeat(Math.floor(random() * 8))),
    () => lines.splice(at, 0, `${' '.repeat(Math.floor(random() * 8))}# comment`),
    () => (lines[at] = line.replace(/[^ ].*/, `${'k'.repeat(1_030)}: v`)),
  ];
  pick(edits)();
  return lines.join('\n');
}

const HELM_LINES = ['{{- if .Values.enabled }}', '{{- end }}', '{{ end }}', '{{- include "chart.labels" . | nindent 4 }}', '{{- toYaml .Values.resources | nindent 12 }}', '{{- with .Values.annotations }}', '{{- range .Values.hosts }}', '{{/* a comment */}}', '{{- if and .Values.a (not .Values.b) -}}'];
const HELM_VALUES = ['{{ .Values.x }}', '{{ include "chart.fullname" . }}', '{{- .Values.y -}}', '{{ .Values.port }}', '{{ .Values.password | b64enc | quote }}', '{{ $.Values.service.port }}', '{{ .x }} trailing', '{{ .x }}: nested', '{{ .Values.x'];

/** Plain text with Helm actions put where nodes start (whole lines at an entry's indent, values) and some where they do not (a scalar's next line, a block scalar's body). */
function templateText(random: () => number): string {
  const pick = pickFrom(random);
  const lines = plainText(random).split('\n');
  for (let edit = 0, edits = 1 + Math.floor(random() * 3); edit < edits; edit++) {
    const at = Math.floor(random() * lines.length);
    const line = lines[at]!;
    const entry = /^( *(?:- +)?)([^:\s]+):( .*)?$/.exec(line);
    const indent = /^ */.exec(line)![0];
    const choice = random();
    if (choice < 0.35 && entry) lines[at] = `${entry[1]}${entry[2]}: ${pick(HELM_VALUES)}`;
    else if (choice < 0.45 && entry) lines[at] = `${entry[1]}${pick(HELM_VALUES)}: x`;
    else if (choice < 0.6) lines.splice(at, 0, `${pick([indent, `${indent}  `, `${indent}    `, ''])}${pick(HELM_LINES)}`);
    else if (choice < 0.7) lines.splice(at + 1, 0, `${indent}${pick(['', '  ', '    '])}${pick(HELM_LINES)}`);
    else if (choice < 0.8 && entry) lines[at] = `${entry[1]}- ${pick(HELM_VALUES)}`;
    else lines.splice(at, 0, pick(['{{- if .Values.enabled }}', '---', '{{- end }}']));
  }
  return lines.join('\n');
}

/** An edit a hostile template may hold: unterminated or Argo actions, markers the lines cannot place, tabs, CRLF, a BOM, huge lines. */
function mutateTemplate(text: string, random: () => number): string {
  const pick = pickFrom(random);
  const lines = text.split('\n');
  const at = Math.floor(random() * lines.length);
  const line = lines[at]!;
  const edits: (() => void)[] = [
    () => (lines[at] = line.replace(/\}\}/, '')),
    () => (lines[at] = line.replace('{{', pick(['{{inputs.parameters.x}}', '${{', '{%', '{ {', '{{', '{{\t']))),
    () => lines.splice(at, 0, pick(['...', '--- # next', '--- x', '---\t', '----', '... # end', '%YAML 1.2', '---'])),
    () => lines.splice(at, 0, `${' '.repeat(Math.floor(random() * 6))}{{ .Values.open`),
    () => (lines[at] = `${line}\r`),
    () => (lines[at] = line.replace(/^( *)/, '$1\t')),
    () => (lines[at] = `\ufeff${line}`),
    () => (lines[at] = `${line} ${'{{ .Values.x }}'.repeat(500)}`),
    () => (lines[at] = line.replace(/[^ ].*/, `{{ ${'k'.repeat(1_100)} }}: v`)),
    () => lines.splice(at, 0, `${/^ */.exec(line)![0]}a: "unclosed {{ x }}`, 'b: 1'),
    () => lines.splice(at, 0, 'dup: 1', 'dup: 2'),
  ];
  pick(edits)();
  return lines.join('\n');
}

type Edit = (text: string, random: () => number) => string;

/** 400 texts of `make`, each followed by `edits` edits of it (each of the text or of the last edit), by the edit `pick` chooses. */
function* editedCorpus(random: () => number, edits: number, make: (random: () => number) => string, pick: (random: () => number) => Edit): Generator<string> {
  for (let round = 0; round < 400; round++) {
    const text = make(random);
    yield text;
    let edited = text;
    for (let edit = 0; edit < edits; edit++) {
      const chosen = pick(random);
      edited = chosen(random() < 0.5 ? text : edited, random);
      yield edited;
    }
  }
}

describe('the look at the lines before a YAML parse', () => {
  it('agrees with the full scan on every YAML fixture file of test/ and examples/', () => {
    const files = yamlFixtureFiles();
    assert.ok(files.length > 0);
    for (const file of files) agree(readFileSync(file, 'utf8'), [relative(REPO_ROOT, file), ...PATHS]);
  });

  it('agrees with the full scan on every inline fixture of the suites', () => {
    let clean = 0;
    for (const { text } of inlineFixtures()) clean += agree(text, PATHS).clean ? 1 : 0;
    assert.ok(clean > 50, `only ${clean} inline fixtures called clean: the shortcut was hardly exercised`);
  });

  it('agrees with the full scan on 400 random texts and 1,200 edits of them (tabs, indentation, repeated and quoted keys, anchors, templates)', () => {
    const seen = { clean: 0, dirty: 0, withProblems: 0 };
    for (const variant of editedCorpus(seededRandom(2), 3, plainText, () => mutate)) {
      const { clean, problems } = agree(variant, PATHS);
      seen[clean ? 'clean' : 'dirty'] += 1;
      if (problems > 0) seen.withProblems += 1;
    }
    // The corpus must reach both sides of the look, and hold files the full scan reports on.
    assert.ok(seen.clean > 300 && seen.dirty > 400 && seen.withProblems > 200, JSON.stringify(seen));
  });

  it('agrees with the full scan on 400 random Helm templates and 1,600 hostile edits of them (unterminated actions, markers, tabs, CRLF, BOM, huge lines)', () => {
    const seen = { cleanTemplate: 0, dirty: 0, withProblems: 0 };
    for (const variant of editedCorpus(seededRandom(3), 4, templateText, (random) => (random() < 0.6 ? mutateTemplate : mutate))) {
      const { clean, cleanTemplate, problems } = agree(variant, PATHS);
      if (cleanTemplate) seen.cleanTemplate += 1;
      else if (!clean) seen.dirty += 1;
      if (problems > 0) seen.withProblems += 1;
    }
    // Templates must reach both sides of the look, with files the full scan reports on.
    assert.ok(seen.cleanTemplate > 300 && seen.dirty > 300 && seen.withProblems > 300, JSON.stringify(seen));
  });

  it('proves the templates of a chart skipped only where a Helm action stands for a node', () => {
    const skipped = { templatesSkipped: true };
    for (const text of ['description:\n- value-1\n{{- end }}\n', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include "chart.fullname" . }}\n  labels:\n    {{- include "chart.labels" . | nindent 4 }}\n', '{{- if .Values.create -}}\napiVersion: v1\nkind: ServiceAccount\n{{- end }}\n', 'a:\n  - {{ .Values.x }}\n', 'a: 1\n{{ x }}: 2\na: 3\n---\nb: 1\n']) {
      assert.equal(isCleanPlainYaml(text, skipped), true, text);
      assert.equal(isCleanPlainYaml(text), false, text);
    }
    // A scalar's next line, an Argo parameter, the document after a marker the lines cannot place, a later document's repeated key.
    for (const text of ['a: b\n  {{ x }}\n', 'a: {{inputs.parameters.x}}\n', 'a: {{ x }}\n--- # b\nc: 1\n', 'a: {{ x }}\n...\nc: 1\n', 'a: {{ x }}\n---\nb: 1\nb: 2\n', 'a: {{ x\n---\nb: {\n', 'a:\n  b: {{ x }}\n---\n    c: 1\n  d: 2\n'])
      assert.equal(isCleanPlainYaml(text, skipped), false, text);
  });

  it('calls clean a CRD-shaped file and the chart files that name no image, and nothing a parser could read otherwise', () => {
    assert.equal(isCleanPlainYaml('apiVersion: v2\nname: chart\nversion: 0.1.0\nappVersion: "1.0.0"\n'), true);
    assert.equal(isCleanPlainYaml('spec:\n  versions:\n    - name: v1\n      schema:\n        properties:\n          a:\n            description: |\n              text: {{ x }}\n\n              more\n            type: string\n'), true);
    assert.equal(isCleanPlainYaml('rules:\n- apiGroups:\n  - apps\n  verbs:\n  - get\n'), true);
    assert.equal(isCleanPlainYaml('metadata:\n  labels: {grafana_dashboard: "1"}\nrules:\n  - verbs: [get, list]\n    resources: ["configmaps", \'secrets\']\n'), true);
    for (const flow of ['{a: 1, a: 2}', '{a: [b]}', '[a, b', '{a:1}', '{True: 1}', '{a: "x\\"y"}', '[a] b']) assert.equal(isCleanPlainYaml(`k: ${flow}\n`), false, flow);
    for (const text of ['a: 1\na: 2\n', 'a: 1\n"a": 2\n', 'true: 1\nTrue: 2\n', 'a:\n  b: 1\n c: 2\n', 'a: b\n  c\n', 'a: [1, 2\n', 'a:\n\tb: 1\n', 'a: &x 1\nb: *x\n', 'a: |\n    x\n  y\n', 'a: |\n      \n    x\n', 'a: b:\tc\n', 'a: |\n  t\r b: 1\n'])
      assert.equal(isCleanPlainYaml(text), false, text);
  });
});
