/**
 * Runs the KurrentDB TEST DOUBLE as a process, e.g. to point KURRENTDB_URL at it and exercise the adapter's
 * shared-server path:  npx tsx tests/kurrentdb-double/main.ts --port 2113 [--file data/double.jsonl] [--no-batch-append]
 * It is not KurrentDB; see README.md for what it does not emulate.
 */
import { parseArgs } from 'node:util';
import { KurrentDbTestDouble } from './kurrentDbTestDouble';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '2113' },
    host: { type: 'string', default: '127.0.0.1' },
    file: { type: 'string' },
    'no-batch-append': { type: 'boolean', default: false },
  },
});

const double = await KurrentDbTestDouble.start({
  port: Number(values.port),
  host: values.host,
  ...(values.file ? { file: values.file } : {}),
  batchAppend: !values['no-batch-append'],
});
console.log(`KurrentDB TEST DOUBLE (not KurrentDB) listening: ${double.connectionString}`);
const stop = () => void double.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
