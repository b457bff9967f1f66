import { AUTOMATIC_PLATFORM_ARGS, findDeclaration } from '../../dockerfile/model';
import type { RelatedLocation, RuleHit } from '../finding';
import type { DockerfileRule } from '../rule';

export const labelUndefinedVariable: DockerfileRule = {
  id: 'label-undefined-variable',
  description: 'A label value uses a variable that is not declared (ARG or ENV) in that stage\'s scope, so the label is empty at build time.',
  defaultSeverity: 'warning',
  appliesTo: 'dockerfile',
  check({ model }) {
    const hits: RuleHit[] = [];
    for (const stage of model.stages) {
      for (const pair of stage.labels) {
        // `${X:-default}`, `${X:+alt}` and `${X:?}` say what happens when X is unset.
        for (const variable of pair.variables.filter((use) => use.modifier === null)) {
          if (findDeclaration(model.stages, stage, variable.name, pair.line)) continue;
          const global = model.globalArgs.get(variable.name);
          const related: RelatedLocation[] = global ? [{ range: global.range, message: `ARG ${variable.name} is declared here, before the first FROM, where only FROM lines see it.` }] : [];
          const why = global
            ? `ARG ${variable.name} is declared before the first FROM, so it is visible only in FROM lines; re-declare it in this stage with "ARG ${variable.name}"`
            : AUTOMATIC_PLATFORM_ARGS.has(variable.name)
              ? `${variable.name} is an automatic platform ARG, visible in a stage only after "ARG ${variable.name}"`
              : `${variable.name} is not declared by an ARG or ENV before this line in this stage or the stages it is built FROM`;
          hits.push({ range: pair.range, message: `The label "${pair.rawKey}" will be empty: ${why}.`, related });
        }
      }
    }
    return hits;
  },
};
