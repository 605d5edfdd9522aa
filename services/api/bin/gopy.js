#!/usr/bin/env node
// The `gopy` command. TypeScript runs through tsx (type-checked separately by `npm test`).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
