import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { EnrollmentStore } from '../../../main/store/enrollment-store.js';
import { StoreError } from '../../../main/store/errors.js';
import type { StoreErrorCode } from '../../../main/store/errors.js';
import { FileKeyWrapper } from '../../../main/store/key-file.js';
import type { KeyWrapper } from '../../../main/store/key-wrapper.js';
import { REFERENCE_RECOGNIZER, referenceFaces } from '../../helpers/reference-faces.js';

const tempDir = () => mkdtemp(path.join(tmpdir(), 'tobira-store-'));

function embeddingOf(file: string): Float32Array {
  const [face] = referenceFaces(file);
  if (!face?.normedEmbedding) throw new Error(`no reference face in ${file}`);
  return face.normedEmbedding;
}
const OBAMA = embeddingOf('photos/face_recognition/obama.jpg');
const BIDEN = embeddingOf('photos/face_recognition/biden.jpg');

async function freshStore(options: Parameters<typeof EnrollmentStore.open>[2] = {}) {
  const dir = await tempDir();
  const keyFile = path.join(dir, 'keys', 'store.key');
  const wrapper = await FileKeyWrapper.open(keyFile, { create: true });
  const store = await EnrollmentStore.open(path.join(dir, 'store'), wrapper, options);
  return { dir, keyFile, wrapper, store };
}

async function rejectsWith(promise: Promise<unknown>, code: StoreErrorCode, mentions?: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof StoreError, `expected StoreError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (mentions)
      assert.ok(error.message.includes(mentions), `"${error.message}" should mention ${mentions}`);
    return true;
  });
}

describe('EnrollmentStore', () => {
  it('keeps people and templates across reopen, with nothing readable in the file', async () => {
    const { dir, keyFile, store } = await freshStore();
    const person = await store.addPerson('Barack Obama');
    await store.addTemplate(person.id, {
      recognizerId: REFERENCE_RECOGNIZER,
      embedding: OBAMA,
      thumbnail: Buffer.from('thumb-bytes'),
    });
    const text = await readFile(store.file, 'utf8');
    assert.ok(!text.includes('Obama'), 'the name must not be stored in clear');
    assert.ok(!text.includes(Buffer.from(OBAMA.buffer).toString('base64').slice(0, 24)));

    const reopened = await EnrollmentStore.open(store.dir, await FileKeyWrapper.open(keyFile));
    const [listed] = reopened.listPeople(REFERENCE_RECOGNIZER);
    assert.equal(listed?.name, 'Barack Obama');
    assert.equal(listed?.templates[0]?.dimension, 512);
    assert.equal(listed?.needsReenrollment, false);
    assert.deepEqual(reopened.thumbnail(person.id), Buffer.from('thumb-bytes'));
    const [entry] = reopened.gallery(REFERENCE_RECOGNIZER);
    assert.ok(entry);
    for (let i = 0; i < OBAMA.length; i++) assert.ok(Math.abs(entry.templates[0]![i]! - OBAMA[i]!) < 1e-6);
    assert.ok(dir);
  });

  it('refuses a key file that group or others can read', async () => {
    const { keyFile } = await freshStore();
    await chmod(keyFile, 0o644);
    await rejectsWith(FileKeyWrapper.open(keyFile), 'insecure_key_file', keyFile);
  });

  describe('bad store files are refused with the reason, and left untouched', async () => {
    const cases: {
      name: string;
      code: StoreErrorCode;
      damage: (text: string) => string | Promise<string>;
    }[] = [
      { name: 'truncated file', code: 'truncated', damage: (t) => t.slice(0, Math.floor(t.length / 2)) },
      { name: 'empty file', code: 'truncated', damage: () => '' },
      { name: 'not JSON', code: 'corrupt', damage: () => 'PK\u0003\u0004 garbage' },
      {
        name: 'flipped byte in the sealed payload',
        code: 'corrupt',
        damage: (t) => {
          const env = JSON.parse(t) as { payload: string };
          const bytes = Buffer.from(env.payload, 'base64');
          bytes[bytes.length - 3]! ^= 0x01;
          return JSON.stringify({ ...env, payload: bytes.toString('base64') });
        },
      },
      {
        name: 'wrong version',
        code: 'unsupported_version',
        damage: (t) => JSON.stringify({ ...(JSON.parse(t) as object), version: 2 }),
      },
      {
        name: 'missing field',
        code: 'corrupt',
        damage: (t) => JSON.stringify({ ...(JSON.parse(t) as object), wrappedKey: undefined }),
      },
      {
        name: 'sealed by another key wrapper kind',
        code: 'wrong_key_wrapper',
        damage: (t) => JSON.stringify({ ...(JSON.parse(t) as object), keyWrapper: 'safe-storage' }),
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const { keyFile, store } = await freshStore();
        await store.addPerson('Somebody');
        const damaged = await c.damage(await readFile(store.file, 'utf8'));
        await writeFile(store.file, damaged);
        await rejectsWith(
          EnrollmentStore.open(store.dir, await FileKeyWrapper.open(keyFile)),
          c.code,
          store.file,
        );
        assert.equal(await readFile(store.file, 'utf8'), damaged, 'a failed open must not rewrite the file');
      });
    }

    it('wrong key', async () => {
      const { store } = await freshStore();
      await store.addPerson('Somebody');
      const other = await FileKeyWrapper.open(path.join(await tempDir(), 'other.key'), { create: true });
      await rejectsWith(EnrollmentStore.open(store.dir, other), 'wrong_key');
    });
  });

  it('never puts another recognizer’s templates in the gallery, and flags those people', async () => {
    const { store } = await freshStore();
    const obama = await store.addPerson('Obama');
    const biden = await store.addPerson('Biden');
    await store.addTemplate(obama.id, { recognizerId: REFERENCE_RECOGNIZER, embedding: OBAMA });
    await store.addTemplate(biden.id, { recognizerId: 'w600k_r50', embedding: BIDEN });
    assert.deepEqual(
      store.gallery(REFERENCE_RECOGNIZER).map((e) => e.name),
      ['Obama'],
    );
    const flags = Object.fromEntries(
      store.listPeople(REFERENCE_RECOGNIZER).map((p) => [p.name, p.needsReenrollment]),
    );
    assert.deepEqual(flags, { Obama: false, Biden: true });
    await rejectsWith(
      store.addTemplate(obama.id, { recognizerId: REFERENCE_RECOGNIZER, embedding: OBAMA.subarray(0, 128) }),
      'invalid_input',
      '128',
    );
  });

  it('rejects bad templates and names with the field named', async () => {
    const { store } = await freshStore();
    const p = await store.addPerson('A');
    const bad: [Float32Array, string][] = [
      [new Float32Array(0), 'non-empty'],
      [new Float32Array(512), 'zeros'],
      [Float32Array.from([1, Number.NaN]), 'NaN'],
    ];
    for (const [embedding, mention] of bad) {
      await rejectsWith(store.addTemplate(p.id, { recognizerId: 'r', embedding }), 'invalid_input', mention);
    }
    await rejectsWith(store.addPerson('  '), 'invalid_input', 'name');
    await rejectsWith(store.addTemplate('nobody', { recognizerId: 'r', embedding: OBAMA }), 'not_found');
    assert.equal(store.getPerson(p.id).templates.length, 0);
  });

  it('refuses templates under an insecure key wrapper until the admin opts in', async () => {
    const dir = await tempDir();
    const inner = await FileKeyWrapper.open(path.join(dir, 'k'), { create: true });
    const basicText: KeyWrapper = {
      kind: 'basic-text-test',
      insecure: true,
      wrap: (k) => inner.wrap(k),
      unwrap: (b) => inner.unwrap(b),
    };
    const store = await EnrollmentStore.open(path.join(dir, 'store'), basicText);
    const p = await store.addPerson('A');
    assert.equal(store.templatesAllowed, false);
    await rejectsWith(
      store.addTemplate(p.id, { recognizerId: REFERENCE_RECOGNIZER, embedding: OBAMA }),
      'insecure_key_storage',
    );
    store.setAllowInsecureKeyStorage(true);
    await store.addTemplate(p.id, { recognizerId: REFERENCE_RECOGNIZER, embedding: OBAMA });
    assert.equal(store.getPerson(p.id).templates.length, 1);
  });

  it('keeps raw photos only when opted in', async () => {
    const photo = Buffer.from('raw photo');
    for (const keepPhotos of [false, true]) {
      const { store } = await freshStore({ keepPhotos });
      const p = await store.addPerson('A');
      const t = await store.addTemplate(p.id, { recognizerId: 'r', embedding: OBAMA, photo });
      assert.equal(t.hasPhoto, keepPhotos);
      assert.deepEqual(store.photo(p.id, t.id), keepPhotos ? photo : null);
      assert.ok(!(await readFile(store.file, 'utf8')).includes(photo.toString('base64')), 'encrypted too');
    }
  });

  it('leaves memory unchanged when a save fails', async () => {
    const dir = await tempDir();
    const inner = await FileKeyWrapper.open(path.join(dir, 'k'), { create: true });
    let failWrap = false;
    const flaky: KeyWrapper = {
      kind: 'key-file',
      wrap: async (k) => {
        if (failWrap) throw new Error('keychain locked');
        return inner.wrap(k);
      },
      unwrap: (b) => inner.unwrap(b),
    };
    const store = await EnrollmentStore.open(path.join(dir, 'store'), flaky);
    await store.addPerson('Kept');
    failWrap = true;
    await assert.rejects(store.addPerson('Lost'), /keychain locked/);
    assert.deepEqual(
      store.listPeople().map((p) => p.name),
      ['Kept'],
    );
    const reopened = await EnrollmentStore.open(store.dir, inner);
    assert.deepEqual(
      reopened.listPeople().map((p) => p.name),
      ['Kept'],
    );
  });

  it('finds a person by their 1:1 PIN and refuses a PIN someone else uses', async () => {
    const { store } = await freshStore();
    const a = await store.addPerson('A', { pin: '1234' });
    const b = await store.addPerson('B');
    assert.equal((await store.findPersonByPin('1234'))?.id, a.id);
    assert.equal(await store.findPersonByPin('4321'), null);
    await rejectsWith(store.setPersonPin(b.id, '1234'), 'invalid_input', 'another person');
    await rejectsWith(store.setPersonPin(b.id, '12'), 'invalid_input', '4 to 12 digits');
    await store.setPersonPin(a.id, null);
    assert.equal(await store.findPersonByPin('1234'), null);
  });

  it('exports an encrypted backup that imports into a store with another key', async () => {
    const { store } = await freshStore();
    const p = await store.addPerson('Obama', { pin: '2468' });
    await store.addTemplate(p.id, { recognizerId: REFERENCE_RECOGNIZER, embedding: OBAMA });
    const backup = await store.exportBackup('correct horse battery');
    assert.ok(!backup.toString('utf8').includes('Obama'));

    const target = (await freshStore()).store;
    await target.addPerson('Already here');
    await rejectsWith(target.importBackup(backup, 'wrong passphrase!'), 'wrong_passphrase');
    await rejectsWith(store.exportBackup('short'), 'invalid_input', 'passphrase');
    await rejectsWith(target.importBackup(backup.subarray(0, 40), 'correct horse battery'), 'truncated');

    assert.deepEqual(await target.importBackup(backup, 'correct horse battery', 'merge'), {
      people: 1,
      templates: 1,
    });
    assert.deepEqual(
      target
        .listPeople()
        .map((x) => x.name)
        .sort(),
      ['Already here', 'Obama'],
    );
    assert.deepEqual(await target.importBackup(backup, 'correct horse battery', 'merge'), {
      people: 0,
      templates: 0,
    });
    await target.importBackup(backup, 'correct horse battery', 'replace');
    assert.deepEqual(
      target.listPeople().map((x) => x.name),
      ['Obama'],
    );
    assert.equal((await target.findPersonByPin('2468'))?.name, 'Obama');
    assert.equal(target.gallery(REFERENCE_RECOGNIZER)[0]?.templates.length, 1);
  });
});
