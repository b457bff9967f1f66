import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../../src/core/lint/config';
import { lintText } from '../../../src/core/lint/engine';
import { fixesFor } from '../../../src/core/lint/fixes';
import type { FixContext } from '../../../src/core/dockerfile/fixes';
import { applyEdits, dedent, renderSnippet } from '../../helpers';

const config = resolveConfig();

function fixed(path: string, text: string, rule: string, title: RegExp, context: FixContext = {}): string {
  const finding = lintText(path, text, config).find((candidate) => candidate.rule === rule);
  assert.ok(finding, `no ${rule} finding`);
  const fix = fixesFor(path, text, finding, config, context).find((candidate) => title.test(candidate.title));
  assert.ok(fix, `no fix matching ${title}`);
  const edits = fix.snippet ? fix.edits.map((edit) => ({ ...edit, newText: renderSnippet(edit.newText) })) : fix.edits;
  return applyEdits(text, edits);
}

describe('quick-fixes', () => {
  it('Add missing OCI labels: one LABEL with continuations at the end of the final stage, ARGs wired, known values filled', () => {
    const text = 'ARG GIT_SHA\nFROM golang:1.22.3 AS build\nARG BUILD_DATE\nRUN go build\n\nFROM build\nARG VERSION\nCOPY --from=build /app /app\n';
    const result = fixed('svc/Dockerfile', text, 'label-missing', /^Add missing OCI labels$/, { sourceUrl: 'https://github.com/acme/app', title: 'svc' });
    assert.equal(result, dedent(`
      ARG GIT_SHA
      FROM golang:1.22.3 AS build
      ARG BUILD_DATE
      RUN go build

      FROM build
      ARG VERSION
      COPY --from=build /app /app
      ARG GIT_SHA
      LABEL org.opencontainers.image.source="https://github.com/acme/app" \\
            org.opencontainers.image.revision=$GIT_SHA \\
            org.opencontainers.image.created=$BUILD_DATE \\
            org.opencontainers.image.version=$VERSION \\
            org.opencontainers.image.title="svc" \\
            org.opencontainers.image.description=""
    `));
    // The description nobody knows stays reported until the user types one.
    assert.deepEqual(lintText('svc/Dockerfile', result, config).filter((finding) => finding.rule.startsWith('label')).map((finding) => finding.message),
      ['The label "org.opencontainers.image.description" has an empty value.']);
  });

  it('Add missing labels follows lower-case instructions, the backtick escape and existing indentation, and leaves unknown values as empty tab stops', () => {
    const text = '# escape=`\nfrom mcr.microsoft.com/windows/nanoserver:ltsc2022\nlabel com.example.team=a `\n  org.opencontainers.image.version=1.0.0\n';
    const finding = lintText('Dockerfile', text, config).find((candidate) => candidate.rule === 'label-missing')!;
    const fix = fixesFor('Dockerfile', text, finding, config, {}).find((candidate) => candidate.title === 'Add missing OCI labels')!;
    assert.equal(fix.snippet, true);
    // The LABEL is the last instruction and takes `key=value` pairs: it is extended, its ARGs go above it.
    assert.equal(fix.edits[0]!.newText, 'arg GIT_SHA\narg BUILD_DATE\nlabel com.example.team=a `\n  org.opencontainers.image.version=1.0.0 `\n  org.opencontainers.image.source="${1}" `\n  org.opencontainers.image.revision=\\$GIT_SHA `\n  org.opencontainers.image.created=\\$BUILD_DATE `\n  org.opencontainers.image.title="${2}" `\n  org.opencontainers.image.description="${3}"');
  });

  it('Add missing labels works when FROM is the last line without a newline', () => {
    const result = fixed('Dockerfile', 'FROM alpine:3.19.1', 'label-missing', /Add missing/, { sourceUrl: 'https://x.example/r', title: 't' });
    assert.match(result, /^FROM alpine:3\.19\.1\nARG GIT_SHA\n/);
    assert.ok(!result.endsWith('\n'));
  });

  it('Re-declare a global ARG in the stage, before the LABEL instruction', () => {
    const text = 'ARG VERSION=1.0.0\nFROM alpine:3.19.1\n  LABEL a=b \\\n    v=$VERSION\n';
    assert.equal(fixed('Dockerfile', text, 'label-undefined-variable', /^Re-declare the global ARG VERSION in this stage$/), 'ARG VERSION=1.0.0\nFROM alpine:3.19.1\n  ARG VERSION\n  LABEL a=b \\\n    v=$VERSION\n');
  });

  it('Use the OCI key instead of the label-schema key', () => {
    assert.equal(fixed('Dockerfile', 'FROM alpine:3.19.1\nLABEL org.label-schema.vcs-url="https://x.example/r" a=b\n', 'label-deprecated-schema', /^Use the OCI key org\.opencontainers\.image\.source$/),
      'FROM alpine:3.19.1\nLABEL org.opencontainers.image.source="https://x.example/r" a=b\n');
  });

  it('Move a label from a discarded stage to the final stage', () => {
    const text = 'FROM golang:1.22.3 AS build\nLABEL a=1 \\\n      b="two"\nFROM alpine:3.19.1\nCOPY --from=build /x /x\n';
    const findings = lintText('Dockerfile', text, config).filter((finding) => finding.rule === 'label-in-discarded-stage');
    const fix = fixesFor('Dockerfile', text, findings[1]!, config)[0]!;
    assert.equal(fix.title, 'Move label b to the final stage');
    assert.equal(applyEdits(text, fix.edits), 'FROM golang:1.22.3 AS build\nLABEL a=1\nFROM alpine:3.19.1\nLABEL b="two"\nCOPY --from=build /x /x\n');
    const only = 'FROM golang:1.22.3 AS build\nLABEL a=1\nFROM alpine:3.19.1\n';
    assert.equal(fixed('Dockerfile', only, 'label-in-discarded-stage', /^Move label a/), 'FROM golang:1.22.3 AS build\nFROM alpine:3.19.1\nLABEL a=1\n');
  });

  it('Ignore this rule on this line, in Dockerfiles and YAML, and the suppression then holds', () => {
    const yaml = 'services:\n  web:\n    image: nginx:latest\n';
    const result = fixed('compose.yaml', yaml, 'image-latest', /^Ignore image-latest on this line$/);
    assert.equal(result, 'services:\n  web:\n    # steward-ignore image-latest\n    image: nginx:latest\n');
    assert.deepEqual(lintText('compose.yaml', result, config), []);
  });
});
