// Node stand-in for safeStorage: a 256-bit key in a file only its owner can read.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { KEY_BYTES, seal, unseal } from './crypto.js';
import { StoreError } from './errors.js';
import type { KeyWrapper } from './key-wrapper.js';

const WRAP_AAD = 'tobira/key-file/data-key/v1';

export class FileKeyWrapper implements KeyWrapper {
  readonly kind = 'key-file';
  private constructor(
    readonly file: string,
    private readonly key: Buffer,
  ) {}

  /** Opens `file`, creating it (mode 0600) when missing and `create` is set. */
  static async open(file: string, options: { create?: boolean } = {}): Promise<FileKeyWrapper> {
    let info;
    try {
      info = await stat(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !options.create) throw error;
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      const key = randomBytes(KEY_BYTES);
      await writeFileAtomic(file, key.toString('hex') + '\n', { mode: 0o600 });
      return new FileKeyWrapper(file, key);
    }
    // POSIX only: Windows has no group/other mode bits, its ACLs are the profile's.
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      throw new StoreError(
        'insecure_key_file',
        `key file ${file} is readable or writable by group/others (mode ${(info.mode & 0o777).toString(8)}); ` +
          'run chmod 600 on it',
      );
    }
    const text = (await readFile(file, 'utf8')).trim();
    if (!/^[0-9a-f]{64}$/i.test(text)) {
      throw new StoreError('corrupt', `key file ${file} does not hold a 256-bit hex key`);
    }
    return new FileKeyWrapper(file, Buffer.from(text, 'hex'));
  }

  async wrap(dataKey: Buffer): Promise<Buffer> {
    return seal(this.key, dataKey, WRAP_AAD);
  }

  async unwrap(blob: Buffer): Promise<Buffer> {
    const key = unseal(this.key, blob, WRAP_AAD);
    if (!key) throw new StoreError('wrong_key', `the data key does not open with key file ${this.file}`);
    return key;
  }
}
