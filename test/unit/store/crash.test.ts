import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { EnrollmentStore } from '../../../main/store/enrollment-store.js';
import { FileKeyWrapper } from '../../../main/store/key-file.js';
import { within } from '../../helpers/deadline.js';

const writer = path.join(import.meta.dirname, 'crash-writer.ts');

/** Runs the writer until it acknowledged `minSaves`, waits `extraMs` more, then SIGKILLs it. */
function runAndKill(storeDir: string, keyFile: string, prefix: string, minSaves: number, extraMs: number) {
  return new Promise<string[]>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, storeDir, keyFile, prefix], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acknowledged: string[] = [];
    let buffered = '';
    let stderr = '';
    let killing = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('saved ')) acknowledged.push(line.slice(6));
      if (!killing && acknowledged.length >= minSaves) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), extraMs);
      }
    });
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own: ${stderr}`));
      else resolve(acknowledged);
    });
  });
}

it('a writer killed mid-save loses nothing it had already saved', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tobira-crash-'));
  const keyFile = path.join(dir, 'store.key');
  const storeDir = path.join(dir, 'store');
  await EnrollmentStore.open(storeDir, await FileKeyWrapper.open(keyFile, { create: true }));

  const saved: string[] = [];
  // Different delays land the kill at different points of the write/fsync/rename cycle.
  for (const [round, extraMs] of [0, 3, 7, 13].entries()) {
    saved.push(
      ...(await within(`writer round ${round}`, runAndKill(storeDir, keyFile, `round${round}`, 10, extraMs))),
    );
    const store = await EnrollmentStore.open(storeDir, await FileKeyWrapper.open(keyFile));
    const names = new Set(store.listPeople().map((p) => p.name));
    for (const name of saved) assert.ok(names.has(name), `${name} was acknowledged but is missing`);
    // Every stored person is whole: the template written in the same run is there (or the person is the
    // one whose template write was cut off, the last one only).
    const incomplete = store.listPeople().filter((p) => p.templates.length === 0);
    assert.ok(incomplete.length <= round + 1);
  }
  assert.ok(saved.length >= 40);
  const leftovers = (await readdir(storeDir)).filter((n) => n.endsWith('.tmp'));
  assert.deepEqual(leftovers, [], 'opening the store clears temp files of killed writers');
});
