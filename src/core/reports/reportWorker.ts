// Worker entry (bundled as dist/reportWorker.js): parses one report off the caller's thread.
import { parentPort, workerData } from 'node:worker_threads';
import { readReport } from './readReport';

parentPort?.postMessage(readReport(workerData as string));
