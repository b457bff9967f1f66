import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { analyzeDockerfile, findDeclaration } from '../../../src/core/dockerfile/model';
import { dedent } from '../../helpers';

describe('analyzeDockerfile', () => {
  it('finds stages, aliases (case-insensitive), the final stage and the chain that reaches it', () => {
    const model = analyzeDockerfile(dedent(`
      FROM golang:1.22.3 AS Build
      FROM alpine:3.19.1 AS tools
      FROM build AS test
      FROM BUILD AS release
    `));
    assert.deepEqual(model.stages.map((stage) => [stage.name, stage.parent]), [['build', undefined], ['tools', undefined], ['test', 0], ['release', 0]]);
    assert.equal(model.finalStage?.name, 'release');
    assert.deepEqual(model.finalChain.map((stage) => stage.name), ['release', 'build']);
    assert.deepEqual(model.images.map((image) => image.resolved), ['golang:1.22.3', 'alpine:3.19.1']);
  });

  it('resolves FROM variables from global ARG defaults, including chained defaults and the :- form', () => {
    const model = analyzeDockerfile(dedent(`
      ARG REGISTRY=ghcr.io/acme
      ARG BASE=\${REGISTRY}/base:1.2.3
      ARG UNSET
      FROM \${BASE}
      FROM \${UNSET}
      FROM \${UNSET:-debian:12.5}
      FROM --platform=\$BUILDPLATFORM node:20.11.1
    `));
    assert.deepEqual(model.images.map((image) => image.resolved), ['ghcr.io/acme/base:1.2.3', undefined, 'debian:12.5', 'node:20.11.1']);
  });

  it('does not treat scratch, stage names or stage indexes as images', () => {
    const model = analyzeDockerfile(dedent(`
      FROM scratch AS empty
      FROM alpine:3.19.1 AS base
      COPY --from=empty / /
      COPY --from=0 / /
      COPY --from=base / /
      COPY --from=busybox:1.36.1 /bin/busybox /bin/
      RUN --mount=type=bind,from=gcr.io/distroless/static:nonroot,target=/x true
    `));
    assert.deepEqual(model.images.map((image) => [image.via, image.resolved]), [
      ['FROM', 'alpine:3.19.1'], ['COPY --from', 'busybox:1.36.1'], ['RUN --mount', 'gcr.io/distroless/static:nonroot'],
    ]);
    const mount = model.images[2]!;
    assert.deepEqual(mount.range, { start: { line: 6, character: 27 }, end: { line: 6, character: 59 } });
  });

  it('scopes variables as BuildKit does: global ARGs need re-declaring, ENV and ARG pass to child stages', () => {
    const model = analyzeDockerfile(dedent(`
      ARG VERSION=1.0.0
      FROM alpine:3.19.1 AS base
      ENV APP_HOME=/app
      ARG VERSION
      FROM base
      ARG LATE
    `));
    const [base, child] = model.stages as [typeof model.stages[0], typeof model.stages[0]];
    assert.equal(findDeclaration(model.stages, base, 'VERSION', 2), undefined, 'not yet re-declared on line 3');
    assert.equal(findDeclaration(model.stages, base, 'VERSION', 4)?.value, '1.0.0', 're-declared ARG takes the global default');
    assert.equal(findDeclaration(model.stages, child, 'APP_HOME', 5)?.kind, 'ENV');
    assert.equal(findDeclaration(model.stages, child, 'LATE', 5), undefined);
    assert.equal(findDeclaration(model.stages, child, 'LATE', 6)?.value, null);
  });

  it('gives every LABEL pair its own range, across continuation lines and with a backtick escape', () => {
    const model = analyzeDockerfile(dedent(`
      # escape=\`
      FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
      label a=1 \`
            "b.c"="two words" \`
            d=\${X}
    `));
    assert.equal(model.escapeChar, '`');
    const pairs = model.finalStage!.labels;
    assert.deepEqual(pairs.map((pair) => [pair.key, pair.value, pair.range.start.line, pair.range.start.character, pair.range.end.character]), [
      ['a', '1', 2, 6, 9], ['b.c', 'two words', 3, 6, 23], ['d', '${X}', 4, 6, 12],
    ]);
    assert.deepEqual(pairs[2]!.variables.map((variable) => variable.name), ['X']);
  });

  it('is not confused by heredocs', () => {
    const model = analyzeDockerfile(dedent(`
      FROM alpine:3.19.1
      RUN <<EOT
      LABEL not=a-label
      FROM not-a-stage
      EOT
      LABEL real=yes
    `));
    assert.equal(model.stages.length, 1);
    assert.deepEqual(model.finalStage!.labels.map((pair) => pair.key), ['real']);
  });

  // The text is searched for `from=` once, forward: a `from=` in another instruction (ENV, a heredoc)
  // or none at all after a RUN must neither hide a later flag nor make one up.
  it('finds COPY --from and RUN --mount from= images wherever other from= text lies, with LF, CRLF and a backtick escape', () => {
    const lines = [
      'FROM alpine:3.19.1 AS a',
      'RUN echo no flag here',
      'ENV NOTE=from=x',
      'COPY --from=busybox:1.36.1 /bin/busybox /bin/busybox',
      'RUN <<EOF',
      'echo from=heredoc:1',
      'EOF',
      'RUN echo still none',
      'RUN --mount=type=cache,from=node:20.11.1,target=/x echo',
      'COPY --from=a /x /y',
      'COPY --chown=1:1 /z /z',
    ];
    const expected = [['FROM', 'alpine:3.19.1', 0, 5], ['COPY --from', 'busybox:1.36.1', 3, 12], ['RUN --mount', 'node:20.11.1', 8, 28]];
    for (const [text, escape] of [[lines.join('\n') + '\n', '\\'], [lines.join('\r\n') + '\r\n', '\\'], [['# escape=`', ...lines].join('\n'), '`']] as const) {
      const model = analyzeDockerfile(text);
      const shift = escape === '`' ? 1 : 0;
      assert.deepEqual(model.images.map((image) => [image.via, image.resolved, image.range.start.line, image.range.start.character]), expected.map(([via, image, line, character]) => [via, image, (line as number) + shift, character]), JSON.stringify(text));
      assert.equal(model.escapeChar, escape);
    }
  });

  it('reports instructions before the first FROM and files without FROM', () => {
    assert.match(analyzeDockerfile('RUN echo hi\nFROM alpine:3.19.1\n').problems[0]!.message, /before the first FROM/);
    assert.match(analyzeDockerfile('# only a comment\nRUN true\n').problems.at(-1)!.message, /no FROM/);
    assert.deepEqual(analyzeDockerfile('').problems, []);
  });
});
