import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { FixContext } from '../../../src/core/dockerfile/fixes';
import { resolveConfig } from '../../../src/core/lint/config';
import { lintText } from '../../../src/core/lint/engine';
import type { Fix } from '../../../src/core/lint/fix';
import { fixesFor } from '../../../src/core/lint/fixes';
import { applyEdits, dedent, renderSnippet } from '../../helpers';

const config = resolveConfig();
const KNOWN: FixContext = { sourceUrl: 'https://github.com/acme/app', title: 'app' };

function addLabelsFix(text: string, context: FixContext = KNOWN, path = 'Dockerfile'): Fix {
  const finding = lintText(path, text, config).find((candidate) => candidate.rule === 'label-missing');
  assert.ok(finding, 'no label-missing finding');
  const fix = fixesFor(path, text, finding, config, context).find((candidate) => /^Add missing/.test(candidate.title));
  assert.ok(fix, 'no Add missing labels fix');
  return fix;
}

/** The file after the fix, every tab stop accepted as it is. */
function withLabels(text: string, context: FixContext = KNOWN): string {
  return applyEdits(text, addLabelsFix(text, context).edits.map((edit) => ({ ...edit, newText: renderSnippet(edit.newText) })));
}

const ALL_LABELS = [
  'org.opencontainers.image.source="https://github.com/acme/app" \\',
  '      org.opencontainers.image.revision=$GIT_SHA \\',
  '      org.opencontainers.image.created=$BUILD_DATE \\',
  '      org.opencontainers.image.version=$VERSION \\',
  '      org.opencontainers.image.title="app" \\',
  '      org.opencontainers.image.description=""',
].join('\n');

describe('Add missing OCI labels: where the ARGs and the LABEL go', () => {
  it('multi-stage: after the final stage\'s last RUN/COPY, before a closing CMD, so no RUN follows the changing ARGs', () => {
    const text = dedent(`
      FROM golang:1.22.3 AS build
      RUN go build -o /app

      FROM alpine:3.19.1
      RUN apk add --no-cache ca-certificates
      COPY --from=build /app /app
      CMD ["/app"]
    `);
    assert.equal(withLabels(text), dedent(`
      FROM golang:1.22.3 AS build
      RUN go build -o /app

      FROM alpine:3.19.1
      RUN apk add --no-cache ca-certificates
      COPY --from=build /app /app
      ARG GIT_SHA
      ARG BUILD_DATE
      ARG VERSION
      LABEL @labels
      CMD ["/app"]
    `).replace('@labels', ALL_LABELS));
  });

  it('a closing block of ENTRYPOINT, USER, EXPOSE, HEALTHCHECK and STOPSIGNAL stays last; a USER before a RUN is not part of it', () => {
    const text = dedent(`
      FROM node:20.11.1
      USER node
      ADD app.tgz /srv
      ENV PORT=8080
      # how it starts
      USER node
      EXPOSE 8080
      HEALTHCHECK CMD curl -f http://localhost:8080/ || exit 1
      STOPSIGNAL SIGTERM
      ENTRYPOINT ["node", "/srv/app"]
    `);
    const result = withLabels(text).split('\n');
    assert.deepEqual(result.slice(0, 8), ['FROM node:20.11.1', 'USER node', 'ADD app.tgz /srv', 'ENV PORT=8080', 'ARG GIT_SHA', 'ARG BUILD_DATE', 'ARG VERSION', 'LABEL org.opencontainers.image.source="https://github.com/acme/app" \\']);
    assert.deepEqual(result.slice(-7), ['# how it starts', 'USER node', 'EXPOSE 8080', 'HEALTHCHECK CMD curl -f http://localhost:8080/ || exit 1', 'STOPSIGNAL SIGTERM', 'ENTRYPOINT ["node", "/srv/app"]', '']);
  });

  it('an existing LABEL after the last COPY is extended in its own continuation style; the ARGs go right above it', () => {
    const text = dedent(`
      FROM alpine:3.19.1
      COPY app /app
      LABEL com.example.team="payments" \\
        org.opencontainers.image.title="app" \\
        org.opencontainers.image.description="The payments API"
      ENTRYPOINT ["/app"]
    `);
    assert.equal(withLabels(text), dedent(`
      FROM alpine:3.19.1
      COPY app /app
      ARG GIT_SHA
      ARG BUILD_DATE
      ARG VERSION
      LABEL com.example.team="payments" \\
        org.opencontainers.image.title="app" \\
        org.opencontainers.image.description="The payments API" \\
        org.opencontainers.image.source="https://github.com/acme/app" \\
        org.opencontainers.image.revision=$GIT_SHA \\
        org.opencontainers.image.created=$BUILD_DATE \\
        org.opencontainers.image.version=$VERSION
      ENTRYPOINT ["/app"]
    `));
  });

  it('a LABEL before the last RUN, or one in the legacy `LABEL key value` form, is left alone and a new LABEL follows the RUN', () => {
    const early = 'FROM alpine:3.19.1\nLABEL com.example.team=payments\nRUN apk add curl\n';
    assert.equal(withLabels(early), `FROM alpine:3.19.1\nLABEL com.example.team=payments\nRUN apk add curl\nARG GIT_SHA\nARG BUILD_DATE\nARG VERSION\nLABEL ${ALL_LABELS}\n`);
    const legacy = 'FROM alpine:3.19.1\nRUN apk add curl\nLABEL maintainer someone@example.com\n';
    assert.equal(withLabels(legacy), `FROM alpine:3.19.1\nRUN apk add curl\nLABEL maintainer someone@example.com\nARG GIT_SHA\nARG BUILD_DATE\nARG VERSION\nLABEL ${ALL_LABELS}\n`);
  });

  it('lower-case instructions and an indented stage body keep their case and indentation', () => {
    const text = 'from alpine:3.19.1\n  run apk add curl\n  cmd ["sh"]\n';
    assert.equal(withLabels(text, {}), [
      'from alpine:3.19.1',
      '  run apk add curl',
      '  arg GIT_SHA',
      '  arg BUILD_DATE',
      '  arg VERSION',
      '  label org.opencontainers.image.source="" \\',
      '        org.opencontainers.image.revision=$GIT_SHA \\',
      '        org.opencontainers.image.created=$BUILD_DATE \\',
      '        org.opencontainers.image.version=$VERSION \\',
      '        org.opencontainers.image.title="" \\',
      '        org.opencontainers.image.description=""',
      '  cmd ["sh"]',
      '',
    ].join('\n'));
  });

  it('a heredoc RUN is the last layer: the labels go after its closing delimiter, not into its body', () => {
    const text = '# syntax=docker/dockerfile:1\nFROM alpine:3.19.1\nRUN <<EOF\napk add curl\nCMD not-an-instruction\nEOF\nCMD ["sh"]\n';
    const result = withLabels(text).split('\n');
    assert.deepEqual(result.slice(0, 7), ['# syntax=docker/dockerfile:1', 'FROM alpine:3.19.1', 'RUN <<EOF', 'apk add curl', 'CMD not-an-instruction', 'EOF', 'ARG GIT_SHA']);
    assert.deepEqual(result.slice(-2), ['CMD ["sh"]', '']);
  });

  it('the escape directive\'s character continues the lines (and CRLF line ends are kept)', () => {
    const text = '# escape=`\r\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\r\nCOPY app.exe C:/app/\r\nENTRYPOINT ["C:/app/app.exe"]\r\n';
    assert.equal(withLabels(text), [
      '# escape=`',
      'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022',
      'COPY app.exe C:/app/',
      'ARG GIT_SHA',
      'ARG BUILD_DATE',
      'ARG VERSION',
      'LABEL org.opencontainers.image.source="https://github.com/acme/app" `',
      '      org.opencontainers.image.revision=$GIT_SHA `',
      '      org.opencontainers.image.created=$BUILD_DATE `',
      '      org.opencontainers.image.version=$VERSION `',
      '      org.opencontainers.image.title="app" `',
      '      org.opencontainers.image.description=""',
      'ENTRYPOINT ["C:/app/app.exe"]',
      '',
    ].join('\r\n'));
  });

  it('an ARG the stage already declares above the labels is not declared again', () => {
    const text = 'FROM alpine:3.19.1\nARG VERSION=1.0.0\nRUN echo $VERSION > /version\n';
    assert.deepEqual(withLabels(text).split('\n').slice(3, 6), ['ARG GIT_SHA', 'ARG BUILD_DATE', `LABEL ${ALL_LABELS.split('\n')[0]}`]);
  });
});

describe('Add missing OCI labels: values nobody knows stay reported', () => {
  it('without a source URL or title the tab stops are empty (no "https://", no made-up description) and label-empty reports each until typed', () => {
    const text = 'FROM alpine:3.19.1\nRUN apk add curl\n';
    const fix = addLabelsFix(text, {});
    assert.ok(!fix.edits[0]!.newText.includes('https://'));
    assert.match(fix.edits[0]!.newText, /source="\$\{1\}".*title="\$\{2\}".*description="\$\{3\}"/s);
    const findings = lintText('Dockerfile', withLabels(text, {}), config).filter((finding) => finding.rule.startsWith('label'));
    assert.deepEqual(findings.map((finding) => `${finding.rule} ${finding.message}`), [
      'label-empty The label "org.opencontainers.image.source" has an empty value.',
      'label-empty The label "org.opencontainers.image.title" has an empty value.',
      'label-empty The label "org.opencontainers.image.description" has an empty value.',
    ]);
  });

  it('says how to pass the build arguments it wired, as a command to copy', () => {
    const fix = addLabelsFix('FROM alpine:3.19.1\nLABEL org.opencontainers.image.version=1.0.0\n', KNOWN, 'services/api/Dockerfile');
    const command = 'docker build --build-arg GIT_SHA=$(git rev-parse HEAD) --build-arg BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ) -f services/api/Dockerfile services/api';
    assert.deepEqual(fix.followUp, { message: `The labels read build arguments: build with ${command}`, copyText: command });
    // Only source, title and description missing: nothing to pass, nothing to say.
    assert.equal(addLabelsFix('FROM alpine:3.19.1\nARG GIT_SHA\nARG BUILD_DATE\nLABEL org.opencontainers.image.revision=$GIT_SHA org.opencontainers.image.created=$BUILD_DATE org.opencontainers.image.version=1\n').followUp, undefined);
  });
});
