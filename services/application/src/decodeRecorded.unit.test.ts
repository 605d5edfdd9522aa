import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '@gopy/schemas';
import type { Position, RecordedEvent } from './eventStore';
import type { KeyStore } from './ports';
import { decodeRecorded, UndecodableEventError } from './writePath';

/** A key store holding the given keys; every other key reads as destroyed. */
function keysHolding(ids: string[]): KeyStore {
  const keys = new Map(ids.map((id) => [id, Buffer.alloc(32, 7)]));
  return {
    getOrCreateKey: async (id) => keys.get(id) ?? Buffer.alloc(32, 7),
    getKey: async (id) => keys.get(id),
    destroyKey: async (id) => void keys.delete(id),
    isDestroyed: async (id) => !keys.has(id),
    close: async () => undefined,
  };
}

/** A stored PolicyProposed whose data its schema refuses, as if written with another schema version. */
function unreadableEvent(keyIds: string[]): RecordedEvent {
  return {
    eventId: '0190a1b2-0000-7000-8000-000000000001',
    streamId: 'policy-0190a1b2-0000-7000-8000-00000000000a',
    revision: 0,
    position: '0000000000000001' as Position,
    type: 'PolicyProposed',
    data: JSON.stringify({ title: 42 }),
    metadata: JSON.stringify({
      actor: { accountId: null, role: 'system', organizationId: null },
      correlationId: '0190a1b2-0000-7000-8000-000000000002',
      causationId: null,
      occurredAt: '2026-12-01T00:00:00.000Z',
      recordedAt: '2026-12-01T00:00:00.000Z',
      schemaVersion: 2,
      prevHash: GENESIS_HASH,
      keyIds,
    }),
    hash: 'a'.repeat(64),
  };
}

describe('decoding a stored event its schema does not read', () => {
  it('fails naming the event when no destroyed key explains it', async () => {
    const error = await decodeRecorded(keysHolding([]), unreadableEvent([])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UndecodableEventError);
    expect((error as Error).message).toContain('event 0190a1b2-0000-7000-8000-000000000001 (PolicyProposed v2');
    expect((error as Error).message).toContain('position 0000000000000001');
  });

  it('fails too when every key it names is still there', async () => {
    const keyId = 'person:0190a1b2-0000-7000-8000-000000000003';
    const error = await decodeRecorded(keysHolding([keyId]), unreadableEvent([keyId])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UndecodableEventError);
  });

  it('keeps the data as stored when a key it names was destroyed (the nulls of an erasure)', async () => {
    const keyId = 'person:0190a1b2-0000-7000-8000-000000000003';
    const decoded = await decodeRecorded(keysHolding([]), unreadableEvent([keyId]));
    expect(decoded.event).toEqual({ type: 'PolicyProposed', data: { title: 42 } });
  });
});
