// Run by bench/promote.ts in its own process, so its peak memory (maxRSS) is the copy's alone:
// promotes `oci:<dir>:big` to `<host>/big/app:big` and prints the time and the peak RSS as JSON.
import { performance } from 'node:perf_hooks';
import { executePromotion, planPromotion } from '../src/core/promote/promote';
import { noCredentials } from '../src/core/registry/auth';
import { HttpRegistry } from '../src/core/registry/httpRegistry';
import { OciLayoutRegistry } from '../src/core/registry/ociLayout';
import { Transport } from '../src/core/registry/transport';

async function main(): Promise<void> {
  const [dir, host] = process.argv.slice(2) as [string, string];
  const transport = new Transport({ timeoutMs: 120_000 });
  const source = { backend: new OciLayoutRegistry(dir), repository: 'big', reference: 'big' };
  const target = { registry: new HttpRegistry(host, transport, noCredentials), repository: 'big/app', tags: ['big'] };
  const started = performance.now();
  const plan = await planPromotion(`oci:${dir}`, source, target);
  await executePromotion(source, target, plan);
  const seconds = (performance.now() - started) / 1000;
  await transport.close();
  console.log(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

main().catch((error: unknown) => {
  console.error((error as Error).stack ?? String(error));
  process.exit(1);
});
