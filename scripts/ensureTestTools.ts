// `npm test` runs this first: the system tools the integration and end-to-end suites need (installed with apt-get
// when running as root on Debian, otherwise the exact command to run), then the cached VS Code host, trivy and the
// SBOM generators.
import { ensureSbomGenerators } from './sbomGenerators';
import { ensureTrivy } from './trivy';
import { ensureCodeServer, ensureSystemTools } from './vscodeHost';

try {
  ensureSystemTools();
  ensureCodeServer();
  ensureTrivy();
  ensureSbomGenerators();
} catch (error) {
  console.error(`npm test cannot run the end-to-end suites yet.\n${(error as Error).message}`);
  process.exit(1);
}
