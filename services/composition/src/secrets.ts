import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config';

export interface Secrets {
  masterKey: Buffer;
  lookupKey: Buffer;
}

function fromHex(name: string, hex: string): Buffer {
  const key = Buffer.from(hex, 'hex');
  if (key.length !== 32) throw new Error(`${name} must be 64 hex characters (32 bytes)`);
  return key;
}

/**
 * The master key (wraps the data keys) and the lookup key (HMAC of emails) come from GOPY_MASTER_KEY and
 * GOPY_LOOKUP_KEY. For the embedded runtime with zero set-up, missing keys are generated once into
 * <data>/secrets.json (mode 0600) and a warning says so; production sets both in the environment.
 */
export function loadSecrets(config: Config, log: (msg: string) => void): Secrets {
  if (config.masterKeyHex && config.lookupKeyHex) {
    return {
      masterKey: fromHex('GOPY_MASTER_KEY', config.masterKeyHex),
      lookupKey: fromHex('GOPY_LOOKUP_KEY', config.lookupKeyHex),
    };
  }
  const file = path.join(config.dataDir, 'secrets.json');
  let stored: { masterKey: string; lookupKey: string };
  if (fs.existsSync(file)) {
    stored = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof stored;
  } else {
    stored = { masterKey: randomBytes(32).toString('hex'), lookupKey: randomBytes(32).toString('hex') };
    fs.writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
    log(
      `GOPY_MASTER_KEY / GOPY_LOOKUP_KEY not set: generated keys in ${file}. Set both in the environment for production.`,
    );
  }
  return {
    masterKey: fromHex('GOPY_MASTER_KEY', config.masterKeyHex ?? stored.masterKey),
    lookupKey: fromHex('GOPY_LOOKUP_KEY', config.lookupKeyHex ?? stored.lookupKey),
  };
}
