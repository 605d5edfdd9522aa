import path from 'node:path';
import type { BlobStore } from '@gopy/application/ports';
import { FolderBlobStore } from '@gopy/adapters/blobStore/folderBlobStore';
import { privateFolder } from '@gopy/adapters/privateFiles';
import type { Runtime } from '@gopy/composition/runtime';

const stores = new WeakMap<Runtime, BlobStore>();

/**
 * The runtime's store of attached files: `<data folder>/blobs`, each file encrypted with its own key from the key
 * store (so backups and `gopy store copy` of the key store carry what is needed to read them).
 */
export function blobStoreOf(runtime: Runtime): BlobStore {
  let store = stores.get(runtime);
  if (!store) {
    const folder = path.join(runtime.config.dataDir, 'blobs');
    privateFolder(folder, runtime.log);
    store = new FolderBlobStore(folder, runtime.keys);
    stores.set(runtime, store);
  }
  return store;
}

/** Largest file accepted (a scanned letter of a few pages, a memorandum as PDF). */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

/** What may be attached: documents and images people scan or write, nothing that runs. */
export const ATTACHMENT_MEDIA_TYPES = new Set([
  'application/pdf',
  'image/jpeg',
  'image/png',
  'image/tiff',
  'image/webp',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/msword',
  'application/vnd.oasis.opendocument.text',
  'text/plain',
]);
