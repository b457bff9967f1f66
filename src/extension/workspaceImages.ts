import * as vscode from 'vscode';
import { scanWorkspace } from '../core/retention/protection';
import type { WorkspaceScan } from '../core/retention/protection';
import { relativePath } from './documents';
import type { Services } from './services';

/** The image references of every workspace folder (each with its own excludes), and the files that could not be read or parsed. */
export async function scanWorkspaceFolders(services: Services, signal?: AbortSignal): Promise<WorkspaceScan> {
  const scans = await Promise.all((vscode.workspace.workspaceFolders ?? []).map(async (folder) => {
    const { root, config } = await services.configs.forFolder(folder.uri.fsPath);
    return scanWorkspace([folder.uri.fsPath], (path) => config.isExcluded(relativePath(root, path)), signal);
  }));
  return { references: scans.flatMap((scan) => scan.references), unreadable: scans.flatMap((scan) => scan.unreadable) };
}
