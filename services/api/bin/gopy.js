#!/usr/bin/env node
// The `gopy` command: the compiled build when it is up to date (npm run build), else the sources through tsx.
import { launch } from '@gopy/composition/launch';

await launch(new URL('../dist/cli.js', import.meta.url), new URL('../src/cli.ts', import.meta.url), 'gopy');
