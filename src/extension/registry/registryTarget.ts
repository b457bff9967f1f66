import * as vscode from 'vscode';
import type { ExplorerNode } from '../../core/registry/explorer';
import type { RegistryBackend } from '../../core/registry/types';
import type { Services } from '../services';

/** A registry (and optionally a repository or prefix) a command works on. */
export interface RegistryTarget {
  readonly backend: RegistryBackend;
  readonly repository?: string;
}

/** The registry (and repository) of a tree node, or typed `host[/repository]` when there is none. */
export async function registryTargetOf(services: Services, node: ExplorerNode | undefined, title: string): Promise<RegistryTarget | undefined> {
  if (node?.kind === 'registry') return { backend: node.backend };
  if (node?.kind === 'repository') return { backend: node.backend, repository: node.repository };
  const typed = await vscode.window.showInputBox({ title, placeHolder: 'registry.example.com/team/app (or just the registry host)', validateInput: (value) => (/^[\w.-]+(:\d+)?(\/[\w./-]+)?$/.test(value.trim()) ? undefined : 'host[:port][/repository]') });
  return typed ? typedRegistryTarget(services, typed) : undefined;
}

/** `host[:port][/repository]` opened with the extension's registry clients. */
export function typedRegistryTarget(services: Services, typed: string): RegistryTarget {
  const [host, ...path] = typed.trim().split('/');
  return { backend: services.openRegistry(host!), ...(path.length > 0 ? { repository: path.join('/') } : {}) };
}
