import type { DockerfileRule } from '../rule';

export const labelMissing: DockerfileRule = {
  id: 'label-missing',
  description: 'A required label is absent from the final image (one finding per missing key, on the final stage\'s FROM).',
  defaultSeverity: 'warning',
  appliesTo: 'dockerfile',
  check({ model, requiredLabels }) {
    const finalStage = model.finalStage;
    if (!finalStage) return [];
    const present = new Set(model.finalChain.flatMap((stage) => stage.labels.map((pair) => pair.key)));
    return requiredLabels
      .filter((required) => !present.has(required.key))
      .map((required) => ({
        range: finalStage.fromRange,
        message: `The final image has no "${required.key}" label.`,
      }));
  },
};
