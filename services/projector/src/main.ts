/**
 * The projector process of the distributed runtime (`node services/projector/bin/projector.js`): the same composition
 * root as `gopy projector`, so configuration and store selection exist once (services/api/src/runtime.ts).
 */
import { ConfigError, loadConfig } from '@gopy/api/config';
import { runProjectorProcess } from '@gopy/api/serve';

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
