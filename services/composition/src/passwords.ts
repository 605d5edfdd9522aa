import { hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '@gopy/application/ports';

/** argon2id with OWASP's recommended minimum (19 MiB, 2 iterations, 1 lane). */
export const argon2Hasher: PasswordHasher = {
  hash: (password) => hash(password, { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 }),
  verify: (digest, password) => verify(digest, password),
};
