/** Registry flags shared by ls, inspect, pin and check; kept apart so `check` loads no registry code. */
export const REGISTRY_OPTIONS = {
  'insecure-registry': { type: 'string', multiple: true },
  'registry-ca': { type: 'string', multiple: true },
} as const;

export interface RegistryFlags {
  readonly 'insecure-registry'?: string[];
  readonly 'registry-ca'?: string[];
}
