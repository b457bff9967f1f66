import type { Agent } from 'undici';

let agentClass: typeof Agent | undefined;

/**
 * undici's Agent, loaded on first use and without undici's index: the index loads all of undici
 * (fetch, WebSocket, caches, mocks), ≈ 35 ms of every registry command's start-up, while the
 * registry client needs only the Agent and the request API the index attaches to its Dispatcher
 * (done here the same way; attaching it twice is harmless). The CLI loads it early on purpose
 * (cli/registryAccess.ts).
 */
export function loadAgentClass(): typeof Agent {
  if (!agentClass) {
    const dispatcher = require('undici/lib/dispatcher/dispatcher') as { prototype: object };
    Object.assign(dispatcher.prototype, require('undici/lib/api') as object);
    agentClass = require('undici/lib/dispatcher/agent') as typeof Agent;
  }
  return agentClass;
}

export function newAgent(options: Agent.Options): Agent {
  return new (loadAgentClass())(options);
}
