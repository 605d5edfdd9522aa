/** Ports the application needs from the outside world; adapters implement them, composition roots wire them. */

export interface Clock {
  now(): Date;
}

/**
 * Data keys kept outside the event log and apart from the read models. A key id is `<scope>:<uuid>`.
 * Deleting a key is how a person is erased or a comment redacted: the ciphertext in the log stays, unreadable.
 */
export interface KeyStore {
  /** Returns the key, creating it on first use. Refuses (throws KeyDestroyedError) a key that was destroyed. */
  getOrCreateKey(keyId: string): Promise<Buffer>;
  /** The key, or undefined when it never existed or was destroyed. */
  getKey(keyId: string): Promise<Buffer | undefined>;
  destroyKey(keyId: string): Promise<void>;
  isDestroyed(keyId: string): Promise<boolean>;
  close(): Promise<void>;
}

export class KeyDestroyedError extends Error {
  override readonly name = 'KeyDestroyedError';
  constructor(readonly keyId: string) {
    super(`Key ${keyId} was destroyed`);
  }
}

/**
 * Attached files (scanned letters, explanatory memoranda) kept outside the log, each encrypted with its own data key
 * and addressed by the SHA-256 of its plaintext: storing the same file twice stores it once, and the hash in an event
 * proves which bytes it refers to.
 *
 * A hash is no secret (anyone holding the file can compute it), so knowing one proves nothing: each file also records
 * who stored it (the organisations the uploader acted for), and only they may cite it.
 */
export interface BlobStore {
  /** Stores the bytes (once) for these owners, adding them to the file's owners, and answers SHA-256 (hex) and size. */
  put(bytes: Buffer, owners: readonly string[]): Promise<{ sha256: string; size: number }>;
  /** The plaintext, or undefined when no such file is stored or its key was destroyed. */
  get(sha256: string): Promise<Buffer | undefined>;
  has(sha256: string): Promise<boolean>;
  /** Whether `owner` stored this file (false for a file it never stored, and for no file at all). */
  ownedBy(sha256: string, owner: string): Promise<boolean>;
}

/** Mail leaves through this port: SMTP in production, .eml files under the data folder otherwise. */
export interface Mailer {
  send(mail: { to: string; subject: string; text: string; html?: string }): Promise<void>;
}

/**
 * Credentials, sessions and one-time tokens: secrets that are not events (a password hash has no business in an
 * immutable log) and not read models (a rebuild must not sign everyone out). Tokens are stored hashed.
 */
export interface AuthStore {
  /** Reserves the email lookup for the account; false when another account already holds it. */
  putCredential(accountId: string, emailLookup: string, passwordHash: string): Promise<boolean>;
  findCredential(emailLookup: string): Promise<{ accountId: string; passwordHash: string } | undefined>;
  /**
   * Sets the password and, in the same transaction, ends everything the old one opened or could have been replaced
   * with: every reset token (and one-time sign-in code) still outstanding for the account, and every session.
   */
  setPassword(accountId: string, passwordHash: string): Promise<void>;
  createSession(tokenHash: string, accountId: string, expiresAt: string): Promise<void>;
  findSession(tokenHash: string, nowIso: string): Promise<{ accountId: string; expiresAt: string } | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteSessionsOf(accountId: string): Promise<void>;
  createToken(kind: 'verify' | 'reset', tokenHash: string, accountId: string, expiresAt: string): Promise<void>;
  /** Marks a token used and returns its account, or undefined when unknown, expired or already used. */
  consumeToken(kind: 'verify' | 'reset', tokenHash: string, nowIso: string): Promise<string | undefined>;
  /** Erasure: every secret of the account goes. */
  forgetAccount(accountId: string): Promise<void>;
  close(): Promise<void>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}
