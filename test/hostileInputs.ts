/**
 * Files built to stall, crash or exhaust a linter, one per class of issue 12 (class 3), shared by
 * the unit tests (lintText) and the CLI test (a whole workspace with a good file beside them).
 */
import { MAX_FILE_BYTES, MAX_LINE_CHARACTERS } from '../src/core/lint/inputLimits';

const PINNED = `nginx@sha256:${'a'.repeat(64)}`;

export interface HostileFile {
  /** Where it goes in a workspace, a lintable name. */
  readonly path: string;
  readonly text: string;
}

/** Over the file size cap by a line, made of comments so that only the cap can reject it. */
export function hugeFile(): HostileFile {
  const padding = `# ${'x'.repeat(1021)}\n`;
  return { path: 'huge/Dockerfile', text: `FROM nginx:latest\n${padding.repeat(MAX_FILE_BYTES / padding.length + 1)}` };
}

export function longLine(): HostileFile {
  return { path: 'long-line/Dockerfile', text: `FROM nginx:latest\nRUN echo ${'x'.repeat(MAX_LINE_CHARACTERS)}\n` };
}

/** 200,000 stages, each built FROM the one before: every lookup walks the whole chain. */
export function manyStages(): HostileFile {
  const lines = ['FROM alpine:3.19.1 AS s0'];
  for (let index = 1; index < 200_000; index += 1) lines.push(`FROM s${index - 1} AS s${index}`);
  return { path: 'stages/Dockerfile', text: `${lines.join('\n')}\n` };
}

/**
 * `ARG A1=${A0}${A0}` doubling 40 times (2^40 characters), then a value of half a MiB used on
 * 10,000 lines: the FROM after them must still be linted (its image-latest finding).
 */
export function doublingArgs(): HostileFile {
  const lines = ['ARG A0=x'];
  for (let index = 1; index <= 40; index += 1) lines.push(`ARG A${index}=\${A${index - 1}}\${A${index - 1}}`);
  for (let index = 0; index < 10_000; index += 1) lines.push(`ARG C${index}=\${A19}`);
  return { path: 'doubling/Dockerfile', text: `${lines.join('\n')}\nFROM nginx:latest\n` };
}

/** 200,000 ARGs in one stage, each looking up the first: a lookup that read every declaration went quadratic. */
export function manyDeclarations(): HostileFile {
  const lines = ['FROM alpine:3.19.1', 'ARG X=1'];
  for (let index = 0; index < 200_000; index += 1) lines.push(`ARG A${index}=$X`);
  return { path: 'declarations/Dockerfile', text: `${lines.join('\n')}\nLABEL org.opencontainers.image.title=$UNDECLARED\n` };
}

/** A 1 MB `licenses` value over continuation lines (each line within the line cap). */
export function hugeLicenses(): HostileFile {
  const line = `${'MIT AND '.repeat(128)}\\\n`;
  return { path: 'licenses/Dockerfile', text: `FROM alpine:3.19.1\nLABEL org.opencontainers.image.licenses="${line.repeat(1024)}MIT"\n` };
}

/** A compose file with 150,000 services, all pinned but the last: its image-latest finding shows every one was read. */
export function manyImages(): HostileFile {
  const services: string[] = [];
  for (let index = 0; index < 150_000; index += 1) services.push(`  s${index}: {image: "${PINNED}"}`);
  return { path: 'images/compose.yaml', text: `services:\n${services.join('\n')}\n  last: {image: "nginx:latest"}\n` };
}
