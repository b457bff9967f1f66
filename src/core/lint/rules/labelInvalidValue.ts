import { labelValueProblem, MAX_CHECKED_VALUE_LENGTH, OCI_KEY_TYPES } from '../../dockerfile/labelValues';
import type { DockerfileRule } from '../rule';

export const labelInvalidValue: DockerfileRule = {
  id: 'label-invalid-value',
  description: 'A literal label value that breaks its key\'s format: created (RFC 3339), source/url/documentation (absolute URL), licenses (SPDX expression), revision (git commit), and the types of custom required labels.',
  defaultSeverity: 'warning',
  appliesTo: 'dockerfile',
  check({ model, requiredLabels }) {
    const custom = new Map(requiredLabels.map((required) => [required.key, required]));
    // Only literal values can be judged: `${BUILD_DATE}` is filled in at build time.
    return model.stages.flatMap((stage) => stage.labels)
      .filter((pair) => pair.key !== undefined && pair.value !== '' && pair.variables.length === 0)
      .flatMap((pair) => {
        const required = custom.get(pair.key!);
        const type = required?.type ?? OCI_KEY_TYPES.get(pair.key!);
        if (type === undefined) return [];
        const problem = labelValueProblem(pair.value, type, required?.pattern);
        // A value too long to check is too long to repeat in the message.
        const shown = pair.value.length > MAX_CHECKED_VALUE_LENGTH ? '' : ` "${pair.value}"`;
        return problem ? [{ range: pair.range, message: `The value${shown} of "${pair.key}" ${problem}.` }] : [];
      });
  },
};
