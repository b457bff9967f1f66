import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { dedent, hits, lint } from '../../helpers';

const COMPLETE_LABELS = dedent(`
  ARG GIT_SHA
  ARG BUILD_DATE
  ARG VERSION
  LABEL org.opencontainers.image.source="https://github.com/acme/app" \\
        org.opencontainers.image.revision=$GIT_SHA \\
        org.opencontainers.image.created=\${BUILD_DATE} \\
        org.opencontainers.image.version=$VERSION \\
        org.opencontainers.image.title="app" \\
        org.opencontainers.image.description="The app"
`);

describe('label-missing', () => {
  it('reports each missing required key on the final stage FROM', () => {
    const findings = lint('Dockerfile', 'FROM alpine:3.19.1 AS build\nLABEL org.opencontainers.image.title=x\nFROM alpine:3.19.1\n');
    assert.deepEqual(hits(findings, 'label-missing'), Array(6).fill('label-missing@3:1'));
    assert.ok(findings.some((finding) => finding.message.includes('org.opencontainers.image.source')));
  });
  it('is satisfied by labels in the final stage or a stage it is built FROM', () => {
    assert.deepEqual(hits(lint('Dockerfile', `FROM alpine:3.19.1\n${COMPLETE_LABELS}`)), []);
    assert.deepEqual(hits(lint('Dockerfile', `FROM alpine:3.19.1 AS base\n${COMPLETE_LABELS}\nFROM base\nRUN true\n`), 'label-missing'), []);
  });
  it('adds team labels, and the defaults can be switched off', () => {
    const text = `FROM alpine:3.19.1\n${COMPLETE_LABELS}`;
    assert.deepEqual(hits(lint('Dockerfile', text, { labels: { required: ['com.example.team'] } }), 'label-missing'), ['label-missing@1:1']);
    assert.deepEqual(hits(lint('Dockerfile', 'FROM alpine:3.19.1\n', { labels: { defaults: false } }), 'label-missing'), []);
  });
  it('says nothing for a Dockerfile with no stage', () => assert.deepEqual(hits(lint('Dockerfile', '# empty\n'), 'label-missing'), []));
});

describe('label-invalid-value', () => {
  const only = (labels: string, config = {}) => hits(lint('Dockerfile', `FROM alpine:3.19.1\nLABEL ${labels}\n`, config), 'label-invalid-value');
  it('fires on broken literal values of typed OCI keys', () => {
    assert.deepEqual(only('org.opencontainers.image.created="yesterday"'), ['label-invalid-value@2:7']);
    assert.deepEqual(only('org.opencontainers.image.created=2024-02-30T10:00:00Z'), ['label-invalid-value@2:7']);
    assert.deepEqual(only('org.opencontainers.image.source=github.com/acme/app'), ['label-invalid-value@2:7']);
    assert.deepEqual(only('org.opencontainers.image.documentation=docs'), ['label-invalid-value@2:7']);
    assert.deepEqual(only('org.opencontainers.image.licenses="MIT or Apache"'), ['label-invalid-value@2:7']);
    assert.deepEqual(only('org.opencontainers.image.revision=main'), ['label-invalid-value@2:7']);
    assert.deepEqual(only('org.opencontainers.image.revision=abc12'), ['label-invalid-value@2:7']);
    assert.deepEqual(only('org.opencontainers.image.base.digest=sha256:abc'), ['label-invalid-value@2:7']);
  });
  it('accepts what hadolint wrongly rejects: expressions, variables, v-prefixed versions', () => {
    assert.deepEqual(only('org.opencontainers.image.licenses="MIT OR Apache-2.0"'), []);
    assert.deepEqual(only('org.opencontainers.image.licenses="(MIT AND BSD-3-Clause) OR GPL-2.0-only WITH Classpath-exception-2.0"'), []);
    assert.deepEqual(only('org.opencontainers.image.created=${BUILD_DATE}'), []);
    assert.deepEqual(only('org.opencontainers.image.created=2024-05-01T12:00:00.123+02:00'), []);
    assert.deepEqual(only('org.opencontainers.image.version=v1.2.3'), []);
    assert.deepEqual(only('org.opencontainers.image.revision=3f2a1bc'), []);
    assert.deepEqual(only(`org.opencontainers.image.revision=${'a'.repeat(40)}`), []);
    assert.deepEqual(only('org.opencontainers.image.source=https://github.com/acme/app'), []);
  });
  it('checks custom required labels against their type and pattern', () => {
    const config = { labels: { required: [{ key: 'com.example.owner', type: 'url' as const }, { key: 'com.example.team', type: 'text' as const, pattern: '[a-z]+-team' }] } };
    assert.deepEqual(only('com.example.owner=nobody com.example.team=Platform', config), ['label-invalid-value@2:7', 'label-invalid-value@2:32']);
    assert.deepEqual(only('com.example.owner=https://acme.example/owners/x com.example.team=platform-team', config), []);
  });
  it('leaves empty values to label-empty', () => assert.deepEqual(only('org.opencontainers.image.created=""'), []));
});

describe('label-undefined-variable', () => {
  const only = (text: string) => hits(lint('Dockerfile', dedent(text)), 'label-undefined-variable');
  it('fires on a global ARG used in a stage without re-declaring it, pointing at the pair with the global ARG as related', () => {
    const findings = lint('Dockerfile', 'ARG VERSION=1.0.0\nFROM alpine:3.19.1\nLABEL org.opencontainers.image.version=$VERSION\n');
    const finding = findings.find((item) => item.rule === 'label-undefined-variable');
    assert.ok(finding);
    assert.deepEqual([finding.range.start, finding.range.end], [{ line: 2, character: 6 }, { line: 2, character: 47 }]);
    assert.match(finding.message, /visible only in FROM lines/);
    assert.deepEqual(finding.related?.[0]?.range.start, { line: 0, character: 4 });
  });
  it('fires on undeclared variables and automatic platform args, and on use before the declaration', () => {
    assert.deepEqual(only(`
      FROM alpine:3.19.1
      LABEL a=$GIT_SHA b=\${TARGETARCH}
      LABEL c=$LATE
      ARG LATE
    `), ['label-undefined-variable@2:7', 'label-undefined-variable@2:18', 'label-undefined-variable@3:7']);
  });
  it('accepts declared ARG/ENV, inherited declarations, defined forms and escaped dollars', () => {
    assert.deepEqual(only(`
      ARG VERSION
      FROM alpine:3.19.1 AS base
      ARG VERSION
      ENV APP=app
      FROM base
      ARG TARGETARCH
      LABEL a=$VERSION b=\${APP} c=\${MISSING:-none} d=\${MISSING:+x} e=\\$LITERAL f=$TARGETARCH
    `), []);
  });
});

describe('label-empty', () => {
  it('fires on empty literal values', () => {
    assert.deepEqual(hits(lint('Dockerfile', 'FROM alpine:3.19.1\nLABEL a="" b= c=x\n'), 'label-empty'), ['label-empty@2:7', 'label-empty@2:12']);
  });
  it('does not fire on values from variables', () => {
    assert.deepEqual(hits(lint('Dockerfile', 'FROM alpine:3.19.1\nARG X\nLABEL a=$X\n'), 'label-empty'), []);
  });
});

describe('label-deprecated-schema', () => {
  it('names the OCI key to use', () => {
    const findings = lint('Dockerfile', 'FROM alpine:3.19.1\nLABEL org.label-schema.vcs-url=https://x.example/y org.label-schema.schema-version=1.0\n').filter((finding) => finding.rule === 'label-deprecated-schema');
    assert.deepEqual(hits(findings), ['label-deprecated-schema@2:7', 'label-deprecated-schema@2:52']);
    assert.match(findings[0]!.message, /org\.opencontainers\.image\.source/);
    assert.equal(findings[0]!.severity, 'info');
  });
  it('does not fire on OCI keys', () => assert.deepEqual(hits(lint('Dockerfile', 'FROM alpine:3.19.1\nLABEL org.opencontainers.image.url=https://x.example\n'), 'label-deprecated-schema'), []));
});

describe('label-in-discarded-stage', () => {
  it('fires on labels of stages that never reach the final image', () => {
    const text = dedent(`
      FROM golang:1.22.3 AS build
      LABEL org.opencontainers.image.title=builder
      FROM gcr.io/distroless/static:nonroot@sha256:${'a'.repeat(64)}
      COPY --from=build /app /app
    `);
    assert.deepEqual(hits(lint('Dockerfile', text), 'label-in-discarded-stage'), ['label-in-discarded-stage@2:7']);
  });
  it('does not fire for stages the final one is built FROM, nor for keys the final image also sets', () => {
    assert.deepEqual(hits(lint('Dockerfile', 'FROM alpine:3.19.1 AS base\nLABEL a=1\nFROM base\n'), 'label-in-discarded-stage'), []);
    assert.deepEqual(hits(lint('Dockerfile', 'FROM alpine:3.19.1 AS tool\nLABEL a=1\nFROM alpine:3.19.1\nLABEL a=2\n'), 'label-in-discarded-stage'), []);
  });
});

describe('suppression comments', () => {
  it('silence the named rules on the next line only', () => {
    const text = 'FROM alpine:3.19.1\n# steward-ignore label-empty, label-invalid-value -- filled in by CI\nLABEL a="" org.opencontainers.image.created=now\nLABEL b=""\n';
    assert.deepEqual(hits(lint('Dockerfile', text, { labels: { defaults: false } })), ['label-empty@4:7']);
  });
  it('work inside a multi-line LABEL', () => {
    const text = 'FROM alpine:3.19.1\nLABEL a=1 \\\n# steward-ignore label-empty\n  b=""\n';
    assert.deepEqual(hits(lint('Dockerfile', text, { labels: { defaults: false } })), []);
  });
});
