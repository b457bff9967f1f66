import type { ExplorerNode } from '../../core/registry/explorer';
import type { Command } from '../services';

export const LOAD_MORE_TAGS_COMMAND = 'artifactSteward.registry.loadMoreTags';

export const loadMoreTags: Command = {
  id: LOAD_MORE_TAGS_COMMAND,
  run(services, node: Extract<ExplorerNode, { kind: 'loadMore' }>) {
    services.registryTree.model.showMore(node.parent);
    services.registryTree.refresh(node.parent);
  },
};
