import * as vscode from 'vscode';
import { findImages } from '../../core/find/find';
import type { FindResult } from '../../core/find/find';
import { FindQueryError, parseFindQuery } from '../../core/find/query';
import type { WrittenFindQuery } from '../../core/find/query';
import type { ExplorerNode } from '../../core/registry/explorer';
import { FIND_VIEW } from '../find/findResults';
import { reportFailure } from '../log';
import { registryTargetOf, typedRegistryTarget } from '../registry/registryTarget';
import type { RegistryTarget } from '../registry/registryTarget';
import type { Command, Services } from '../services';
import { scanWorkspaceFolders } from '../workspaceImages';

export const FIND_IMAGES_COMMAND = 'artifactSteward.find.findImages';

/** What the tests give instead of the quick inputs: the registry (`host[/prefix]`) and the query. */
export interface FindAnswers {
  readonly target?: string;
  readonly query?: WrittenFindQuery;
}

type Field = 'revision' | 'labels' | 'source' | 'baseDigest' | 'createdAfter';

const FIELDS: readonly { readonly field: Field; readonly label: string; readonly prompt: string; readonly placeHolder: string }[] = [
  { field: 'revision', label: 'Revision', prompt: 'Built from this commit (7 to 64 hex; a short SHA matches its full form)', placeHolder: 'a1b2c3d' },
  { field: 'labels', label: 'Label or annotation', prompt: 'KEY=VALUE: a config label or a manifest/index annotation', placeHolder: 'org.opencontainers.image.vendor=Acme' },
  { field: 'source', label: 'Source repository', prompt: 'Built from this repository (the source label or the provenance)', placeHolder: 'https://github.com/acme/app' },
  { field: 'baseDigest', label: 'Base image digest', prompt: 'org.opencontainers.image.base.digest', placeHolder: 'sha256:…' },
  { field: 'createdAfter', label: 'Created after', prompt: 'An ISO 8601 date or time', placeHolder: '2024-05-01' },
];

/** The one field as a query, validated as the CLI validates it; the message when it is refused. */
function fieldProblem(field: Field, value: string): string | undefined {
  try {
    parseFindQuery(field === 'labels' ? { labels: [value] } : { [field]: value });
    return undefined;
  } catch (error) {
    return error instanceof FindQueryError ? error.message.replace(/^--[\w-]+ takes/, 'Takes') : (error as Error).message;
  }
}

/** Asks which fields to fill, then each one (validated as typed); undefined when dismissed. */
async function askQuery(): Promise<WrittenFindQuery | undefined> {
  const picked = await vscode.window.showQuickPick(FIELDS.map((entry) => ({ ...entry, picked: entry.field === 'revision' })), { title: 'Find images by', canPickMany: true, ignoreFocusOut: true });
  if (!picked || picked.length === 0) return undefined;
  let query: WrittenFindQuery = {};
  for (const entry of picked) {
    const value = await vscode.window.showInputBox({ title: `Find images: ${entry.label}`, prompt: entry.prompt, placeHolder: entry.placeHolder, ignoreFocusOut: true, validateInput: (typed) => fieldProblem(entry.field, typed.trim()) });
    if (value === undefined) return undefined;
    query = entry.field === 'labels' ? { ...query, labels: [...(query.labels ?? []), value.trim()] } : { ...query, [entry.field]: value.trim() };
  }
  return query;
}

/** The query in a few words, for the view's description and the messages. */
function describeQuery(target: RegistryTarget, query: WrittenFindQuery): string {
  const parts = [
    ...(query.labels ?? []), ...(query.revision ? [`revision ${query.revision}`] : []), ...(query.source ? [`source ${query.source}`] : []),
    ...(query.baseDigest ? [`base ${query.baseDigest.slice(0, 19)}…`] : []), ...(query.createdAfter ? [`created after ${query.createdAfter}`] : []),
  ];
  return `${target.backend.name}${target.repository ? `/${target.repository}` : ''}: ${parts.join(', ')}`;
}

/** Runs a search with progress (cancellable), shows it in the Find results view, and returns it. */
export async function runFind(services: Services, target: RegistryTarget, written: WrittenFindQuery): Promise<FindResult | undefined> {
  const query = parseFindQuery(written);
  const title = describeQuery(target, written);
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Find images in ${title}`, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
    const workspace = await scanWorkspaceFolders(services, controller.signal);
    return findImages(target.backend, query, {
      workspace: workspace.references, signal: controller.signal, ...(target.repository ? { repositoryPrefix: target.repository } : {}),
      onProgress: ({ phase, done, total }) => progress.report({ message: `${done}/${total} ${phase}` }),
    });
  }).then(undefined, (error: unknown) => {
    if ((error as Error).message === 'cancelled') return undefined;
    throw error;
  });
  if (!result) return undefined;
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  services.findResults.set({ title, result, ...(root ? { root } : {}) });
  void vscode.commands.executeCommand(`${FIND_VIEW}.focus`);
  services.log.info(`Find images in ${title}: ${result.images.length} found, ${result.imagesRead} image(s) read in ${result.repositories} repositories.`);
  for (const failure of result.failures) services.log.warn(`Find images: not searched: ${failure.message}`);
  const incomplete = result.failures.length > 0 ? ` ${result.failures.length} place(s) could not be read (see the view and the log).` : '';
  void vscode.window.showInformationMessage(`Find images: ${result.images.length} image(s) match ${title}.${incomplete}`);
  return result;
}

/** Find images…: the registry from the tree node (or typed), the fields from a quick input, results in their view. */
export const findImagesCommand: Command = {
  id: FIND_IMAGES_COMMAND,
  async run(services, node?: ExplorerNode, answers?: FindAnswers): Promise<FindResult | undefined> {
    try {
      const target = answers?.target ? typedRegistryTarget(services, answers.target) : await registryTargetOf(services, node?.kind === 'registry' || node?.kind === 'repository' ? node : undefined, 'Find images in');
      if (!target) return undefined;
      const query = answers?.query ?? await askQuery();
      return query ? await runFind(services, target, query) : undefined;
    } catch (error) {
      reportFailure(services.log, 'Find images', error);
      return undefined;
    }
  },
};
