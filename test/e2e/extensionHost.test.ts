import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { cleanup, copyOfExamples, installPackagedExtension, runExtensionHostSuite, scratch } from './driver';

describe('extension-host suite in a real VS Code (code-server, Chromium)', () => {
  let workDir = '';
  let failed = false;
  before(() => {
    workDir = scratch('extension-host');
  });
  after(() => {
    if (!failed) cleanup(workDir);
    else console.error(`Kept ${workDir} for inspection (host log: host/code-server.log).`);
  });

  it('passes: diagnostics, hover, quick-fixes, fixAll, config re-lint, Lint workspace', async () => {
    const extension = installPackagedExtension(workDir);
    const workspace = copyOfExamples(workDir);
    const result = await runExtensionHostSuite(extension, workspace, workDir);
    const summary = result.output.split('\n').filter((line) => /passing|failing|pending|ACTIVATION/.test(line));
    console.log(`extension-host suite: exit ${result.exitCode}; ${summary.join('; ')}`);
    failed = result.exitCode !== 0;
    assert.equal(result.exitCode, 0, `extension-host suite failed:\n${result.output}`);
    assert.match(result.output, /\d+ passing/);
    assert.doesNotMatch(result.output, /\d+ failing/);
  });
});
