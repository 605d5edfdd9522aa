import type { EventType } from './catalogue';

/**
 * Which fields of which events are sealed (encrypted) before they reach the log, and whose key seals them.
 * Deciders produce and consume plaintext; the write path seals these fields, and readers unseal them with the key store.
 * `a.b` is a nested field; `a[].b` is field b of every element of array a.
 *
 * Key scopes: `comment` (the comment's own key, id = commentId), `person` (an account's personal data key,
 * id = personalDataKeyId), `sender` (an offline sender's key, id = offlineSender.senderId).
 */
export type KeyScope = 'comment' | 'person' | 'sender';

export interface SealedField {
  path: string;
  scope: KeyScope;
  /** The field of the event data holding the key id for this scope. */
  keyIdFrom: string;
}

export const sealedFields: Partial<Record<EventType, SealedField[]>> = {
  CommentSubmitted: [
    { path: 'body', scope: 'comment', keyIdFrom: 'commentId' },
    { path: 'pseudonym', scope: 'comment', keyIdFrom: 'commentId' },
    { path: 'attachments[].fileName', scope: 'comment', keyIdFrom: 'commentId' },
    { path: 'offlineSender.name', scope: 'sender', keyIdFrom: 'offlineSender.senderId' },
    { path: 'offlineSender.organization', scope: 'sender', keyIdFrom: 'offlineSender.senderId' },
    { path: 'offlineSender.contact', scope: 'sender', keyIdFrom: 'offlineSender.senderId' },
  ],
  CommentEdited: [{ path: 'body', scope: 'comment', keyIdFrom: 'commentId' }],
  CommentFlagged: [{ path: 'note', scope: 'comment', keyIdFrom: 'commentId' }],
  AccountRegistered: [
    { path: 'email', scope: 'person', keyIdFrom: 'personalDataKeyId' },
    { path: 'displayName', scope: 'person', keyIdFrom: 'personalDataKeyId' },
    { path: 'pseudonym', scope: 'person', keyIdFrom: 'personalDataKeyId' },
  ],
  PupilEnrolled: [{ path: 'className', scope: 'person', keyIdFrom: 'personalDataKeyId' }],
  ConsentRecorded: [{ path: 'guardianName', scope: 'person', keyIdFrom: 'personalDataKeyId' }],
};
