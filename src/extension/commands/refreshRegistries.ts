import type { Command } from '../services';

export const REFRESH_REGISTRIES_COMMAND = 'artifactSteward.registry.refreshRegistries';

export const refreshRegistries: Command = {
  id: REFRESH_REGISTRIES_COMMAND,
  run: (services) => services.registryTree.refresh(),
};
