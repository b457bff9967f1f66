import * as vscode from 'vscode';
import { configuredRegistries } from '../registry/registrySources';
import type { Command } from '../services';
import { SETTINGS_SECTION } from '../settings';

export const ADD_REGISTRY_COMMAND = 'artifactSteward.registry.addRegistry';

/** Adds `host[:port]` to the `artifactSteward.registries` setting (no secret goes there). */
export const addRegistry: Command = {
  id: ADD_REGISTRY_COMMAND,
  async run(services) {
    const host = await vscode.window.showInputBox({
      title: 'Add registry',
      prompt: 'Registry host, with a port if it has one (ghcr.io, 123456789012.dkr.ecr.eu-west-1.amazonaws.com, harbor.example.com, localhost:5000)',
      validateInput: (value) => (/^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9a-fA-F:]+\](:\d+)?$/.test(value.trim()) ? undefined : 'A host name or IP address with an optional :port, without https://'),
    });
    if (!host) return;
    const registries = configuredRegistries();
    if (!registries.some((entry) => entry.host === host.trim())) {
      await vscode.workspace.getConfiguration(SETTINGS_SECTION).update('registries', [...registries, { host: host.trim() }], vscode.ConfigurationTarget.Global);
    }
    services.registryTree.refresh();
  },
};
