import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DockerfileParser } from 'dockerfile-ast';
import type { Env, Label } from 'dockerfile-ast';
import { assignmentsOf, plainAssignments, rangeOf } from '../../../src/core/dockerfile/assignments';
import type { TextPositions } from '../../../src/core/dockerfile/assignments';
import { analyzeDockerfile } from '../../../src/core/dockerfile/model';
import { seededRandom } from '../../helpers';

/** Offsets ↔ positions of a text without CRs, as the model's LineIndex counts them. */
function positionsOf(text: string): TextPositions {
  const starts = [0];
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return {
    text,
    offsetAt: (position) => starts[position.line]! + position.character,
    positionAt: (offset) => {
      let line = starts.length - 1;
      while (starts[line]! > offset) line -= 1;
      return { line, character: offset - starts[line]! };
    },
  };
}

/** dockerfile-ast's own reading of the instruction: what the one-pass reader must agree with. */
function dockerfileAstAssignments(instruction: Env | Label) {
  return instruction.getProperties().map((property) => ({
    name: property.getName(),
    value: property.getValue(),
    range: rangeOf(property.getRange()),
    nameRange: rangeOf(property.getNameRange()),
    valueRange: property.getValueRange() ? rangeOf(property.getValueRange()!) : null,
    assigned: property.getAssignmentOperator() !== null,
  }));
}

function randomInstructions(random: () => number): string {
  const pick = <T>(choices: readonly T[]): T => choices[Math.floor(random() * choices.length)]!;
  const keys = ['a', 'org.opencontainers.image.title', 'PATH', 'x-y_z', '"quoted"', "'single'", 'k$V', 'é'];
  const values = ['1', '', 'two words', '$VERSION', '${BUILD_DATE}', 'a=b', '/opt/app/bin:$PATH', 'https://example.com/x#frag', 'caf\u00e9'];
  const quote = (value: string) => pick([value.includes(' ') ? `"${value}"` : value, `"${value}"`, `'${value}'`, value.replace(/ /g, '\\ '), `"${value}\\"x"`, `a"${value}"b`]);
  const separators = [' ', '  ', '\t', ' \\\n  ', ' \\  \n\t', ' \\\n\n  ', ' \\\n# a comment\n  '];
  const lines: string[] = [random() < 0.2 ? '# escape=`' : '# syntax=docker/dockerfile:1', 'FROM alpine:3.19'];
  for (let count = 0; count < 6; count++) {
    const keyword = pick(['LABEL', 'ENV', 'label', 'Env']);
    const pairs = Array.from({ length: 1 + Math.floor(random() * 3) }, () => (random() < 0.1 ? `${pick(keys)} ${pick(values)}` : `${pick(keys)}=${quote(pick(values))}`));
    lines.push(`${keyword}${pick([' ', '  ', '\t'])}${pairs.map((pair, index) => (index === 0 ? pair : pick(separators) + pair)).join('')}${pick(['', ' ', '\t'])}`);
  }
  return lines.join('\n') + '\n';
}

describe('ENV and LABEL assignments read in one pass', () => {
  it('agree with dockerfile-ast wherever they are read, over 3,000 random files near the edge', () => {
    const random = seededRandom(3);
    let plain = 0;
    let declined = 0;
    for (let round = 0; round < 3_000; round++) {
      const text = randomInstructions(random);
      const dockerfile = DockerfileParser.parse(text);
      const positions = positionsOf(text);
      for (const instruction of dockerfile.getInstructions()) {
        if (instruction.getKeyword() !== 'ENV' && instruction.getKeyword() !== 'LABEL') continue;
        const expected = dockerfileAstAssignments(instruction as Env | Label);
        assert.deepEqual(assignmentsOf(instruction as Env | Label, positions, dockerfile.getEscapeCharacter()), expected, text);
        const start = positions.offsetAt(instruction.getInstructionRange().end);
        if (plainAssignments(positions, start, positions.offsetAt(instruction.getRange().end), dockerfile.getEscapeCharacter())) plain += 1;
        else declined += 1;
      }
    }
    assert.ok(plain > 1000 && declined > 1000, `${plain} plain, ${declined} declined: the corpus misses one side`);
  });

  // An ENV's values see only what was declared before it: B=$A is unknown (BuildKit reads one ENV at once).
  it('leave the model as dockerfile-ast reads it: FROM words, ENV and LABEL pairs', () => {
    const text = 'ARG BASE=alpine:3.19\nFROM --platform=$BUILDPLATFORM ${BASE} \\\n  AS build\nENV A=1 B=$A\nLABEL org.opencontainers.image.title="my app" \\\n      org.opencontainers.image.version=$B\nFROM "build" as final\n';
    const model = analyzeDockerfile(text);
    assert.deepEqual(model.stages.map((stage) => [stage.name, stage.parent, stage.fromRange.start.line]), [['build', undefined, 1], ['final', 0, 6]]);
    assert.deepEqual(model.images.map((image) => [image.written, image.resolved, image.range]), [['${BASE}', 'alpine:3.19', { start: { line: 1, character: 31 }, end: { line: 1, character: 38 } }]]);
    assert.deepEqual(model.stages[0]!.labels.map((label) => [label.key, label.value, label.keyRange.start, label.valueRange?.end, label.variables.map((use) => use.name)]), [
      ['org.opencontainers.image.title', 'my app', { line: 4, character: 6 }, { line: 4, character: 45 }, []],
      ['org.opencontainers.image.version', '$B', { line: 5, character: 6 }, { line: 5, character: 41 }, ['B']],
    ]);
    assert.deepEqual([...model.stages[0]!.declarations.values()].flat().map((declaration) => [declaration.name, declaration.value]), [['A', '1'], ['B', null]]);
  });
});
