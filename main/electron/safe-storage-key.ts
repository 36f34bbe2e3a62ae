// The store's data key wrapped by the OS keychain through Electron's async safeStorage API.
import { safeStorage } from 'electron';
import type { KeyWrapper } from '../store/key-wrapper.js';

export async function createSafeStorageKeyWrapper(): Promise<KeyWrapper> {
  if (!(await safeStorage.isAsyncEncryptionAvailable())) {
    throw new Error('safeStorage: OS encryption is not available');
  }
  // Linux without a keyring falls back to `basic_text`: a hard-coded key, so not a secret.
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os';
  return {
    kind: 'safe-storage',
    insecure: backend === 'basic_text' || backend === 'unknown',
    wrap: (key) => safeStorage.encryptStringAsync(key.toString('base64')),
    unwrap: async (blob) => Buffer.from((await safeStorage.decryptStringAsync(blob)).result, 'base64'),
  };
}
