import * as vscode from 'vscode';
import type { PinCandidate } from '../../core/registry/pin';
import { pinnedText } from '../../core/registry/pin';
import { imagePlatforms } from '../../core/registry/inspect';
import { isIndex, platformString } from '../../core/registry/types';
import { reportFailure } from '../log';
import { rewriteReference } from '../registry/rewriteReference';
import type { Command } from '../services';

export const PIN_TO_DIGEST_COMMAND = 'artifactSteward.registry.pinToDigest';

/**
 * Resolves the reference with HEAD and writes `repo:tag@sha256:…` (the tag stays readable). For a
 * multi-arch image the index digest by default; a platform digest when the user picks one.
 * `choice` ('index' or a platform such as 'linux/arm64') skips the question.
 */
export const pinToDigest: Command = {
  id: PIN_TO_DIGEST_COMMAND,
  async run(services, uri: vscode.Uri, candidate: PinCandidate, choice?: string) {
    try {
      const client = services.openRegistry(candidate.registry);
      const manifest = await client.getManifest(candidate.repository, candidate.tag);
      let digest = manifest.descriptor.digest;
      const platforms = isIndex(manifest.descriptor.mediaType) ? imagePlatforms(manifest.json) : [];
      if (platforms.length > 0 && choice !== 'index') {
        const picked = choice
          ? platforms.find((child) => platformString(child.platform) === choice)
          : (await vscode.window.showQuickPick(
            [{ label: 'All platforms', description: `index ${digest.slice(0, 19)}…`, digest }, ...platforms.map((child) => ({ label: platformString(child.platform), description: child.digest.slice(0, 19), digest: child.digest }))],
            { title: `Pin ${candidate.written}: which digest?` },
          ));
        if (!picked) return;
        digest = picked.digest;
      }
      await rewriteReference(uri, candidate, pinnedText(candidate, digest));
    } catch (error) {
      reportFailure(services.log, 'Pin to digest', error);
    }
  },
};
