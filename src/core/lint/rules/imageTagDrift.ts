import type { RegistryRule } from '../rule';

export const imageTagDrift: RegistryRule = {
  id: 'image-tag-drift',
  description: 'A `tag@digest` reference whose tag now points at another digest in the registry: someone moved the tag (opt-in; asks the registry).',
  defaultSeverity: 'off',
  appliesTo: 'registry',
};
