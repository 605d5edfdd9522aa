import { appendBenchmarks } from '../benchmarks/append';
import { table } from '../lib/report';
const r = await appendBenchmarks({ single: 1000, concurrent: 3000, rounds: 1 }, console.log);
console.log(table(r));
console.log(JSON.stringify(r, null, 1));
