#!/usr/bin/env node
// The projector process: the compiled build when it is up to date (npm run build), else the sources through tsx.
import { launch } from '@gopy/composition/launch';

await launch(new URL('../dist/main.js', import.meta.url), new URL('../src/main.ts', import.meta.url), 'gopy projector');
