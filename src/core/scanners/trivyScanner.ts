import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PromotionSource } from '../promote/promote';
import { OciLayoutRegistry } from '../registry/ociLayout';
import { findTrivy, runTrivy, TRIVY_INSTALL_HINT, trivyArgs } from './trivy';
import type { TrivyTarget } from './trivy';

/**
 * The scan gate's `trivy: true`: trivy scans the source image by digest (a registry image, or one in
 * an OCI layout) and the report comes back as text for the gate.
 */
export function trivyScanner(configured: string | undefined, extraArgs: readonly string[], insecure: (host: string) => boolean, onLog?: (line: string) => void): (source: PromotionSource, digest: string) => Promise<{ text: string; label: string }> {
  return async (source, digest) => {
    const binary = findTrivy(configured);
    if (!binary) throw new Error(TRIVY_INSTALL_HINT);
    const folder = await mkdtemp(join(tmpdir(), 'steward-scan-'));
    const output = join(folder, 'scan.json');
    const target: TrivyTarget = source.backend instanceof OciLayoutRegistry
      ? { kind: 'oci-layout', dir: source.backend.name, digest }
      : { kind: 'registry', reference: `${source.backend.name}/${source.repository}@${digest}`, insecure: insecure(source.backend.name) };
    try {
      await runTrivy(binary, trivyArgs(target, 'json', output, extraArgs), onLog ? { onLog } : {});
      return { text: await readFile(output, 'utf8'), label: `trivy on ${target.kind === 'registry' ? target.reference : `oci:${target.dir}@${digest}`}` };
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  };
}
