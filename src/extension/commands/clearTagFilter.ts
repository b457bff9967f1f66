import type { ExplorerNode } from '../../core/registry/explorer';
import type { Command } from '../services';

export const CLEAR_TAG_FILTER_COMMAND = 'artifactSteward.registry.clearTagFilter';

/** Clears the filter of the repository it is run on (its context menu), or every filter (the view title). */
export const clearTagFilter: Command = {
  id: CLEAR_TAG_FILTER_COMMAND,
  run(services, node?: ExplorerNode) {
    services.registryTree.clearFilters(node ? services.registryTree.repositoryOf(node) : undefined);
  },
};
