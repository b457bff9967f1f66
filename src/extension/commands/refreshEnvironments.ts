import type { Command } from '../services';

export const REFRESH_ENVIRONMENTS_COMMAND = 'artifactSteward.environments.refreshEnvironments';

/** Reads the files again and asks the registries again (their answers are otherwise kept a minute). */
export const refreshEnvironments: Command = {
  id: REFRESH_ENVIRONMENTS_COMMAND,
  run: (services) => services.environments.refresh(true),
};
