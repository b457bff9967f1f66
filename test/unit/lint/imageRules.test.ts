import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { dedent, hits, lint } from '../../helpers';

const DIGEST = `sha256:${'b'.repeat(64)}`;
const noLabels = { labels: { defaults: false } };
const from = (reference: string, path = 'Dockerfile', config: object = noLabels) => lint(path, `FROM ${reference}\n`, config);

describe('image rules on FROM lines', () => {
  it('image-untagged fires on names without tag or digest, including registry ports', () => {
    assert.deepEqual(hits(from('nginx')), ['image-untagged@1:6']);
    assert.deepEqual(hits(from('registry.example.com:5000/team/app')), ['image-untagged@1:6']);
    assert.deepEqual(hits(from('nginx:1.25.3')), []);
  });
  it('image-latest fires on latest without digest only', () => {
    assert.deepEqual(hits(from('nginx:latest')), ['image-latest@1:6']);
    assert.deepEqual(hits(from(`nginx:latest@${DIGEST}`)), []);
  });
  it('image-floating-tag fires on channels and major-only tags, and on major.minor at info', () => {
    for (const tag of ['stable', 'main-latest', '20-alpine', 'v1', 'lts']) assert.deepEqual(hits(from(`node:${tag}`)), ['image-floating-tag@1:6'], tag);
    const majorMinor = from('postgres:16.2');
    assert.deepEqual(hits(majorMinor), ['image-floating-tag@1:6']);
    assert.equal(majorMinor[0]!.severity, 'info');
    assert.deepEqual(hits(from('postgres:16.2', 'Dockerfile', { ...noLabels, rules: { 'image-floating-tag': { majorMinor: 'off' } } })), []);
    assert.deepEqual(hits(from('node:20.11.1-alpine3.19')), []);
  });
  it('image-unpinned is off by default and fires on every tag without digest when enabled', () => {
    assert.deepEqual(hits(from('nginx:1.25.3')), []);
    const config = { ...noLabels, rules: { 'image-unpinned': 'error' as const } };
    assert.deepEqual(hits(from('nginx:1.25.3', 'Dockerfile', config)), ['image-unpinned@1:6']);
    assert.deepEqual(hits(from(`nginx:1.25.3@${DIGEST}`, 'Dockerfile', config)), []);
  });
  it('shell quotes in FROM and --from are dropped before resolving, as BuildKit does (the Jenkins image writes alpine:"${ALPINE_TAG}")', () => {
    const quoted = lint('Dockerfile', 'ARG ALPINE_TAG=3.19.1\nFROM alpine:"${ALPINE_TAG}"\nCOPY --from=\'busybox:latest\' /bin/busybox /bin/\n', noLabels);
    const unquoted = lint('Dockerfile', 'ARG ALPINE_TAG=3.19.1\nFROM alpine:${ALPINE_TAG}\nCOPY --from=busybox:latest /bin/busybox /bin/\n', noLabels);
    assert.deepEqual(hits(quoted), ['image-latest@3:13']);
    assert.deepEqual(hits(quoted), hits(unquoted));
  });

  it('Dockerfile templates are not linted until rendered; `{{` in a RUN is literal and does not make one', () => {
    const withLabels = {};
    for (const [path, text] of [
      ['Dockerfile.template', 'FROM debian:{{ env.variant }}\n{{ if .x then ( -}}\nRUN x\n{{ ) end -}}\n'],
      ['Dockerfile-alpine.tmpl', 'FROM alpine:latest\n'],
      ['mainline/Dockerfile', 'FROM debian:%%DEBIAN_VERSION%%-slim\nENV NGINX_VERSION %%NGINX_VERSION%%\n'],
      ['Dockerfile', 'FROM {{ .Env.BASE }}\nRUN make\n'],
      ['Dockerfile', '{% if gpu %}\nFROM nvidia/cuda\n{% endif %}\n'],
    ]) assert.deepEqual(lint(path!, text!, withLabels), [], path);
    assert.deepEqual(hits(lint('Dockerfile', 'FROM nginx:latest\nRUN docker inspect \\\n  --format \'{{.Id}}\' x\n', noLabels)), ['image-latest@1:6']);
  });

  it('image-invalid-reference fires on references docker cannot pull', () => {
    assert.deepEqual(hits(from('Nginx:1.25.3')), ['image-invalid-reference@1:6']);
    assert.deepEqual(hits(from('nginx@sha256:abc')), ['image-invalid-reference@1:6']);
  });
  it('resolves ARG defaults and says so; reports nothing for values it cannot know', () => {
    const findings = lint('Dockerfile', 'ARG BASE=nginx:latest\nFROM ${BASE}\n', noLabels);
    assert.deepEqual(hits(findings), ['image-latest@2:6']);
    assert.match(findings[0]!.message, /resolved to "nginx:latest"/);
    assert.deepEqual(hits(lint('Dockerfile', 'ARG BASE\nFROM ${BASE}\nFROM $UNKNOWN_BASE\nFROM ${TARGETPLATFORM}/x\n', noLabels)), []);
  });
  it('skips stage names, scratch and checks COPY --from images', () => {
    const text = 'FROM alpine:3.19.1 AS a\nFROM scratch\nCOPY --from=a / /\nCOPY --from=busybox / /\n';
    assert.deepEqual(hits(lint('Dockerfile', text, noLabels)), ['image-untagged@4:13']);
  });
  it('raises mutable-tag findings to errors in production paths, and honours custom production globs', () => {
    assert.equal(from('nginx:latest', 'deploy/prod/Dockerfile')[0]!.severity, 'error');
    assert.equal(from('postgres:16.2', 'envs/production/api/Dockerfile')[0]!.severity, 'error');
    assert.equal(from('nginx:latest', 'deploy/staging/Dockerfile')[0]!.severity, 'warning');
    assert.equal(from('nginx:latest', 'live/Dockerfile', { ...noLabels, production: ['live/**'] })[0]!.severity, 'error');
    assert.equal(from('Nginx', 'deploy/prod/Dockerfile')[0]!.severity, 'error');
  });
  it('a production finding says which glob made it an error; one that is an error anyway, or not a mutable tag, does not', () => {
    assert.equal(from('nginx:latest', 'deploy/prod/Dockerfile')[0]!.message, '"nginx:latest" uses the "latest" tag, which moves with every push. Pin a version tag and its digest. (error: **/prod/** is a production path)');
    assert.match(from('nginx:latest', 'live/Dockerfile', { ...noLabels, production: ['stage/**', 'live/**'] })[0]!.message, /\(error: live\/\*\* is a production path\)$/);
    assert.doesNotMatch(from('nginx:latest', 'deploy/prod/Dockerfile', { ...noLabels, rules: { 'image-latest': 'error' } })[0]!.message, /production path/);
    assert.doesNotMatch(from('Nginx', 'deploy/prod/Dockerfile')[0]!.message, /production path/);
  });
  it('severities come from the config, and off removes a rule', () => {
    assert.equal(from('nginx:latest', 'Dockerfile', { ...noLabels, rules: { 'image-latest': 'info' } })[0]!.severity, 'info');
    assert.deepEqual(hits(from('nginx:latest', 'Dockerfile', { ...noLabels, rules: { 'image-latest': { severity: 'off' } } })), []);
  });
});

describe('image rules in manifests', () => {
  it('point at the image text inside quotes', () => {
    const text = dedent(`
      apiVersion: v1
      kind: Pod
      metadata: {name: p}
      spec:
        containers:
          - name: a
            image: "nginx:latest"
    `);
    const [finding] = lint('pod.yaml', text);
    assert.deepEqual(finding?.range, { start: { line: 6, character: 14 }, end: { line: 6, character: 26 } });
  });
  it('are suppressed by a comment on the line before', () => {
    const text = dedent(`
      services:
        db:
          # steward-ignore image-latest
          image: postgres:latest
        cache:
          image: redis:latest
    `);
    assert.deepEqual(hits(lint('compose.yaml', text)), ['image-latest@6:12']);
  });
});
