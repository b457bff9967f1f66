import * as vscode from 'vscode';
import type { ExplorerNode } from '../../core/registry/explorer';
import type { TrivyFormat } from '../../core/scanners/trivy';
import { scanWithTrivy } from '../reports/scanWithTrivy';
import type { Command } from '../services';

export const GENERATE_SBOM_COMMAND = 'artifactSteward.reports.generateSbom';

/** trivy with `--format cyclonedx` or `spdx-json`; `format` skips the question. */
export const generateSbom: Command = {
  id: GENERATE_SBOM_COMMAND,
  async run(services, node?: ExplorerNode, format?: TrivyFormat) {
    const chosen = format ?? (await vscode.window.showQuickPick(
      [{ label: 'CycloneDX', description: 'JSON', format: 'cyclonedx' as const }, { label: 'SPDX 2.3', description: 'JSON', format: 'spdx-json' as const }],
      { title: 'SBOM format' },
    ))?.format;
    return chosen ? scanWithTrivy(services, chosen, node) : undefined;
  },
};
