import { isRegistryAllowed } from '../../environments/environments';
import { quoteOccurrence } from '../rule';
import type { ImageRule } from '../rule';

export const imageRegistryNotAllowed: ImageRule = {
  id: 'image-registry-not-allowed',
  description: "A reference in an environment's files that pulls from outside the registries or namespaces the environment allows (only where `environments[].registries` is configured).",
  defaultSeverity: 'error',
  appliesTo: 'image',
  mutableTag: false,
  check(occurrence, options) {
    const allowed = options.allowedRegistries;
    if (!allowed || !occurrence.parsed.ok || isRegistryAllowed(occurrence.parsed.reference, allowed.registries)) return undefined;
    const { domain, path } = occurrence.parsed.reference;
    return { range: occurrence.range, message: `${quoteOccurrence(occurrence)} pulls from ${domain}/${path}, outside what the ${allowed.environment} environment allows (${allowed.registries.join(', ')}). Promote the image into an allowed registry and deploy it from there.` };
  },
};
