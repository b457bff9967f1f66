// Timing helpers shared by the benchmarks.
import { performance } from 'node:perf_hooks';

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
