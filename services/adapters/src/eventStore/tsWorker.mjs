// Worker threads do not inherit the test runner's TypeScript loader; this plain module installs tsx in the worker,
// then loads the TypeScript entry named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
