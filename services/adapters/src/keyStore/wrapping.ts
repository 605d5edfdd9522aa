import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Data keys at rest are wrapped with the master key (AES-256-GCM, the key id as associated data). */
export function newDataKey(): Buffer {
  return randomBytes(32);
}

export function wrapKey(masterKey: Buffer, keyId: string, key: Buffer): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', masterKey, iv);
  c.setAAD(Buffer.from(keyId));
  return Buffer.concat([iv, c.update(key), c.final(), c.getAuthTag()]);
}

export function unwrapKey(masterKey: Buffer, keyId: string, wrapped: Buffer): Buffer {
  const d = createDecipheriv('aes-256-gcm', masterKey, wrapped.subarray(0, 12));
  d.setAAD(Buffer.from(keyId));
  d.setAuthTag(wrapped.subarray(wrapped.length - 16));
  return Buffer.concat([d.update(wrapped.subarray(12, wrapped.length - 16)), d.final()]);
}
