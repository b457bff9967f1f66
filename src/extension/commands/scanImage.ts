import type { ExplorerNode } from '../../core/registry/explorer';
import { scanWithTrivy } from '../reports/scanWithTrivy';
import type { Command } from '../services';

export const SCAN_IMAGE_COMMAND = 'artifactSteward.reports.scanImage';

/** `trivy image --format json` on a tree node or a typed reference; the result opens in the scan panel. */
export const scanImage: Command = {
  id: SCAN_IMAGE_COMMAND,
  run: (services, node?: ExplorerNode) => scanWithTrivy(services, 'json', node),
};
