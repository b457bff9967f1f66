import type { DockerfileRule } from '../rule';

export const labelEmpty: DockerfileRule = {
  id: 'label-empty',
  description: 'A label whose value is empty: legal, but it tells nobody anything.',
  defaultSeverity: 'warning',
  appliesTo: 'dockerfile',
  check({ model }) {
    return model.stages.flatMap((stage) => stage.labels)
      .filter((pair) => pair.value === '' && pair.variables.length === 0)
      .map((pair) => ({ range: pair.range, message: `The label "${pair.rawKey}" has an empty value.` }));
  },
};
