// Timing helpers shared by the benchmarks.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../src/core/log';

/** Median of `runs` timings (ms) after `warmup` untimed runs; runs alternate between contenders. */
export function compare(contenders: Record<string, () => unknown>, runs = 15, warmup = 3): Record<string, number> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
  for (let round = 0; round < warmup + runs; round += 1) {
    for (const [name, run] of Object.entries(contenders)) {
      const start = performance.now();
      run();
      if (round >= warmup) samples[name]!.push(performance.now() - start);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, times]) => [name, times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!]));
}

export function ratio(value: number, base: number): string {
  return `${(value / base).toFixed(2)}×`;
}

export function row(label: string, ms: number, note = ''): void {
  console.log(`  ${label.padEnd(44)} ${ms.toFixed(2).padStart(9)} ms${note ? `   ${note}` : ''}`);
}

export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

export async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** Medians of `rounds` timings of async contenders, after one untimed warm-up each; contenders alternate. */
export async function compareAsync(contenders: Record<string, () => Promise<unknown>>, rounds: number): Promise<Record<string, number>> {
  for (const run of Object.values(contenders)) await run();
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, run] of Object.entries(contenders)) samples[name]!.push(await timed(run));
  }
  return Object.fromEntries(Object.entries(samples).map(([name, times]) => [name, median(times)]));
}

/** A transport logger that counts the HTTP requests answered (the `→ status` lines). */
export function requestCounter(): { readonly logger: Logger; readonly count: number; reset(): void } {
  let count = 0;
  return {
    logger: { debug: (line: string) => void (/→ \d{3}/.test(line) && (count += 1)), info() {}, warn() {}, error() {} },
    get count() {
      return count;
    },
    reset() {
      count = 0;
    },
  };
}

/** The tools of `tools` that are not on PATH: a benchmark needing them says so and skips. */
export function missingTools(tools: readonly string[]): string[] {
  return tools.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
}
