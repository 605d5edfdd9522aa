import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { sealedFields, type EventType } from '@gopy/schemas';
import type { KeyStore } from './ports';

/**
 * AES-256-GCM envelope for one field: `enc:v1:<scope>:<keyUuid>:<iv>:<ciphertext‖tag>`, base64url.
 * The key id and field path are bound as associated data, so a ciphertext cannot be moved to another field or key.
 */
const PREFIX = 'enc:v1:';

export function encryptField(key: Buffer, keyId: string, path: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${keyId}|${path}`, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${PREFIX}${keyId}:${iv.toString('base64url')}:${ct.toString('base64url')}`;
}

export function parseEnvelope(value: string): { keyId: string; iv: Buffer; ct: Buffer } | undefined {
  if (!value.startsWith(PREFIX)) return undefined;
  const parts = value.slice(PREFIX.length).split(':');
  if (parts.length !== 4) return undefined;
  const [scope, uuid, iv, ct] = parts as [string, string, string, string];
  return { keyId: `${scope}:${uuid}`, iv: Buffer.from(iv, 'base64url'), ct: Buffer.from(ct, 'base64url') };
}

export function decryptField(key: Buffer, keyId: string, path: string, value: string): string {
  const env = parseEnvelope(value);
  if (!env || env.keyId !== keyId) throw new Error(`Not an envelope for ${keyId}`);
  const decipher = createDecipheriv('aes-256-gcm', key, env.iv);
  decipher.setAAD(Buffer.from(`${keyId}|${path}`, 'utf8'));
  decipher.setAuthTag(env.ct.subarray(env.ct.length - 16));
  return Buffer.concat([decipher.update(env.ct.subarray(0, env.ct.length - 16)), decipher.final()]).toString('utf8');
}

type Json = Record<string, unknown>;

function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Json)[part];
  }
  return cur;
}

/** Visits every string at `path` (supporting `a[].b`), replacing it with what `fn` returns. */
async function mapPath(
  obj: Json,
  path: string,
  fn: (value: string, concretePath: string) => Promise<string | null>,
): Promise<void> {
  const arrayAt = path.indexOf('[].');
  if (arrayAt >= 0) {
    const arr = getPath(obj, path.slice(0, arrayAt));
    if (!Array.isArray(arr)) return;
    for (let i = 0; i < arr.length; i++) {
      await mapPath(arr[i] as Json, path.slice(arrayAt + 3), (v, p) => fn(v, `${path.slice(0, arrayAt)}[${i}].${p}`));
    }
    return;
  }
  const dot = path.lastIndexOf('.');
  const parent = dot < 0 ? obj : getPath(obj, path.slice(0, dot));
  const leaf = dot < 0 ? path : path.slice(dot + 1);
  if (parent === null || typeof parent !== 'object') return;
  const value = (parent as Json)[leaf];
  if (typeof value !== 'string') return;
  (parent as Json)[leaf] = await fn(value, path);
}

function keyIdFor(data: Json, scope: string, keyIdFrom: string): string | undefined {
  const id = getPath(data, keyIdFrom);
  return typeof id === 'string' ? `${scope}:${id}` : undefined;
}

/** Encrypts the sealed fields of an event's data in place of a copy; returns the copy and the key ids used. */
export async function sealEventData(
  keys: KeyStore,
  type: EventType,
  data: Json,
): Promise<{ data: Json; keyIds: string[] }> {
  const spec = sealedFields[type];
  if (!spec) return { data, keyIds: [] };
  const copy = structuredClone(data);
  const used = new Set<string>();
  for (const field of spec) {
    const keyId = keyIdFor(copy, field.scope, field.keyIdFrom);
    if (!keyId) continue;
    await mapPath(copy, field.path, async (plain, concrete) => {
      const key = await keys.getOrCreateKey(keyId);
      used.add(keyId);
      return encryptField(key, keyId, concrete, plain);
    });
  }
  return { data: copy, keyIds: [...used] };
}

/**
 * Decrypts the sealed fields of stored event data. A field whose key was destroyed (erasure, redaction) becomes null:
 * readers must treat null as "no longer readable", never as absent by choice.
 */
export async function unsealEventData(keys: KeyStore, type: string, data: Json): Promise<Json> {
  const spec = sealedFields[type as EventType];
  if (!spec) return data;
  const copy = structuredClone(data);
  for (const field of spec) {
    const keyId = keyIdFor(copy, field.scope, field.keyIdFrom);
    if (!keyId) continue;
    await mapPath(copy, field.path, async (cipher, concrete) => {
      const key = await keys.getKey(keyId);
      return key ? decryptField(key, keyId, concrete, cipher) : null;
    });
  }
  return copy;
}
