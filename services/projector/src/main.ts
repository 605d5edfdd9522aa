/**
 * The projector process of the distributed runtime (`node services/projector/bin/projector.js`): the same composition
 * as `gopy projector`, so configuration and store selection exist once (services/composition/src/runtime.ts). It
 * depends on application, adapters and the composition only, never on the HTTP API (tests/importRules.unit.test.ts).
 */
import { ConfigError, loadConfig } from '@gopy/composition/config';
import { runProjectorProcess } from '@gopy/composition/process';

try {
  const proc = await runProjectorProcess(loadConfig());
  proc.lifecycle.handleSignals();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`gopy projector: configuration error: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
