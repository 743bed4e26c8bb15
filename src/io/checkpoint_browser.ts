// Checkpoints in the browser: a download (the user keeps the file; it loads in PyTorch), and storage that
// survives a reload in IndexedDB, which every browser with WebGPU has (OPFS writes need a worker in
// Safari). One put is one transaction, so a stored checkpoint is whole or absent, never half written.
import type { Sequential } from '../model';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';

const DATABASE = 'webgpu-cnn';
const STORE = 'checkpoints';

/** Offers `bytes` to the user as a file download (default name "model.safetensors"). */
export function downloadBytes(bytes: Uint8Array, fileName = 'model.safetensors'): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has taken its own reference by the time the click returns, but some browsers start it a little later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function request<T>(make: (store: IDBObjectStore) => IDBRequest<T>, mode: IDBTransactionMode): Promise<T> {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(DATABASE, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
    opening.onerror = () => reject(opening.error);
    opening.onsuccess = () => {
      const db = opening.result;
      const transaction = db.transaction(STORE, mode);
      const result = make(transaction.objectStore(STORE));
      // Resolved on the transaction's completion, not the request's: only then is a write committed.
      transaction.oncomplete = () => {
        db.close();
        resolve(result.result);
      };
      transaction.onerror = transaction.onabort = () => {
        db.close();
        reject(transaction.error ?? result.error);
      };
    };
  });
}

/** Stores `bytes` under `key` in IndexedDB, replacing what was there. */
export async function storeBytes(key: string, bytes: Uint8Array): Promise<void> {
  await request((store) => store.put(bytes.slice(), key), 'readwrite');
}

/** The bytes stored under `key`, or undefined. */
export async function loadStoredBytes(key: string): Promise<Uint8Array | undefined> {
  const value: unknown = await request((store) => store.get(key), 'readonly');
  return value instanceof Uint8Array ? value : undefined;
}

export async function deleteStoredBytes(key: string): Promise<void> {
  await request((store) => store.delete(key), 'readwrite');
}

/** saveCheckpoint, stored under `key` so it survives a reload. */
export async function storeCheckpoint(model: Sequential, key: string): Promise<void> {
  await storeBytes(key, await saveCheckpoint(model));
}

/** Loads the checkpoint stored under `key` into the (compiled) model; false if there is none. */
export async function loadStoredCheckpoint(model: Sequential, key: string): Promise<boolean> {
  const bytes = await loadStoredBytes(key);
  if (!bytes) return false;
  await loadCheckpoint(model, bytes, { source: `IndexedDB "${key}"` });
  return true;
}
