import { Worker } from 'node:worker_threads';
import type { ReadResult } from './model';
import { readReport } from './readReport';

/** Above this size a report is parsed in a worker, so the extension host keeps answering. */
export const OFF_THREAD_BYTES = 4 * 1024 * 1024;

/**
 * Reads a report or SBOM; large ones (tens of MB) in a worker thread running `workerFile`
 * (dist/reportWorker.js). The result says where it was parsed.
 */
export function readLargeReport(text: string, workerFile: string, signal?: AbortSignal): Promise<ReadResult & { offThread: boolean }> {
  if (text.length < OFF_THREAD_BYTES) return Promise.resolve({ ...readReport(text), offThread: false });
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerFile, { workerData: text });
    const abort = () => void worker.terminate().then(() => reject(signal?.reason ?? new Error('cancelled')));
    signal?.addEventListener('abort', abort, { once: true });
    worker.once('message', (result: ReadResult) => {
      signal?.removeEventListener('abort', abort);
      void worker.terminate();
      resolve({ ...result, offThread: true });
    });
    worker.once('error', (error) => {
      signal?.removeEventListener('abort', abort);
      reject(error);
    });
  });
}
