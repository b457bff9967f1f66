import { LABEL_SCHEMA_TO_OCI } from '../../dockerfile/labelValues';
import type { DockerfileRule } from '../rule';

export const labelDeprecatedSchema: DockerfileRule = {
  id: 'label-deprecated-schema',
  description: 'An `org.label-schema.*` key: the label-schema convention is deprecated in favour of the OCI keys.',
  defaultSeverity: 'info',
  appliesTo: 'dockerfile',
  check({ model }) {
    return model.stages.flatMap((stage) => stage.labels)
      .filter((pair) => pair.key?.startsWith('org.label-schema.'))
      .map((pair) => {
        const replacement = LABEL_SCHEMA_TO_OCI.get(pair.key!);
        const advice = replacement ? `use "${replacement}" instead` : 'it has no OCI equivalent and can be removed';
        return { range: pair.range, message: `"${pair.key}" is a deprecated label-schema.org key: ${advice}.` };
      });
  },
};
