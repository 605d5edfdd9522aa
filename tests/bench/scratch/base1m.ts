import path from 'node:path';
import { rebuildBaseline } from '../benchmarks/rebuild';
const dir = process.argv[2]!;
const b = rebuildBaseline(dir, path.join(dir, 'read.rebuild.sqlite'), path.join(dir, 'read.baseline.sqlite'));
console.log(JSON.stringify(b));
