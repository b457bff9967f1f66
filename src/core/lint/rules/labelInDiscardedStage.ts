import type { DockerfileRule } from '../rule';

export const labelInDiscardedStage: DockerfileRule = {
  id: 'label-in-discarded-stage',
  description: 'Labels set only in build stages that never reach the final image (not the final stage nor one it is built FROM).',
  defaultSeverity: 'info',
  appliesTo: 'dockerfile',
  check({ model }) {
    const finalFrom = model.finalStage?.fromRange;
    if (!finalFrom) return [];
    const reaching = new Set(model.finalChain.map((stage) => stage.index));
    const finalKeys = new Set(model.finalChain.flatMap((stage) => stage.labels.map((pair) => pair.key)));
    // One list for every hit: a file of many discarded stages has hundreds of them.
    const related = [{ range: finalFrom, message: 'The final stage starts here.' }];
    return model.stages
      .filter((stage) => !reaching.has(stage.index))
      .flatMap((stage) => stage.labels.filter((pair) => !finalKeys.has(pair.key)).map((pair) => ({
        range: pair.range,
        message: `The label "${pair.rawKey}" is set in stage ${stage.name ?? `#${stage.index}`}, which does not reach the final image: the built image will not carry it. Set it in the final stage.`,
        related,
      })));
  },
};
