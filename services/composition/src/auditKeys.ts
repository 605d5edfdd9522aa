import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parsePrivateKey, publicKeyPem } from '@gopy/application/audit/checkpoint';
import { privateFolder } from '@gopy/adapters/privateFiles';
import { ConfigError, type Config } from './config';

/** Where the embedded runtime keeps a generated seal key when GOPY_SEAL_KEY is not set. */
export const sealKeyFile = (dataDir: string) => path.join(dataDir, 'audit-seal-key.pem');

/**
 * The sealer's Ed25519 private key: GOPY_SEAL_KEY (PEM, or base64 of PKCS#8 DER). When it is absent, a key is generated
 * once into <data>/audit-seal-key.pem (mode 0600) with a warning, like the master key (secrets.ts); production sets it,
 * and every process of a distributed runtime must share it.
 */
export function loadSealKey(
  config: Config,
  log: (msg: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): KeyObject {
  if (env.GOPY_SEAL_KEY) {
    try {
      return parsePrivateKey(env.GOPY_SEAL_KEY.replace(/\\n/g, '\n'));
    } catch (err) {
      throw new ConfigError(
        `GOPY_SEAL_KEY must be an Ed25519 private key, PEM or base64 of PKCS#8 DER: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  const file = sealKeyFile(config.dataDir);
  if (fs.existsSync(file)) return parsePrivateKey(fs.readFileSync(file, 'utf8'));
  privateFolder(config.dataDir, log);
  const { privateKey } = generateKeyPairSync('ed25519');
  fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  log(
    `GOPY_SEAL_KEY not set: generated an Ed25519 seal key in ${file}. Set GOPY_SEAL_KEY in the environment for production.`,
  );
  return privateKey;
}

export function sealPublicKeyPem(config: Config, log: (msg: string) => void): string {
  return publicKeyPem(loadSealKey(config, log));
}

export function sealIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env.GOPY_SEAL_INTERVAL_MS ?? 60_000);
  return Number.isFinite(ms) && ms > 0 ? ms : 60_000;
}
