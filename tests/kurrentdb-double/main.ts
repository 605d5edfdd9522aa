/**
 * Runs the KurrentDB TEST DOUBLE as a process, e.g. to point KURRENTDB_URL at it and exercise the adapter's
 * shared-server path:
 *   node --import tsx tests/kurrentdb-double/main.ts --port 2113 [--file data/double.jsonl] [--no-batch-append]
 *     [--trace] [--parent-pid <pid>]
 * It is not KurrentDB; see README.md for what it does not emulate.
 *
 * --file keeps the log in a JSON-lines file, so that a killed double restarted with the same file and port serves the
 * same data (a dropped connection, as a restarted node). --trace prints one line per $all read or subscription (where
 * it starts, by which connection name). --parent-pid makes the double stop when that process is gone, so a test runner
 * that dies without cleaning up leaves no server behind.
 */
import { parseArgs } from 'node:util';
import { KurrentDbTestDouble } from './kurrentDbTestDouble';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '2113' },
    host: { type: 'string', default: '127.0.0.1' },
    file: { type: 'string' },
    'no-batch-append': { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    'parent-pid': { type: 'string' },
  },
});

const double = await KurrentDbTestDouble.start({
  port: Number(values.port),
  host: values.host,
  ...(values.file ? { file: values.file } : {}),
  batchAppend: !values['no-batch-append'],
  ...(values.trace ? { trace: (line: string) => console.log(`trace: ${line}`) } : {}),
});
console.log(`KurrentDB TEST DOUBLE (not KurrentDB) listening: ${double.connectionString}`);
const stop = () => void double.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const parent = values['parent-pid'] === undefined ? undefined : Number(values['parent-pid']);
if (parent !== undefined) {
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      stop();
    }
  }, 1_000);
}
