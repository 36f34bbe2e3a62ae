// Child process for the crash test: saves one person after another and reports
// each save only after it returned, until it is killed.
import { EnrollmentStore } from '../../../main/store/enrollment-store.js';
import { FileKeyWrapper } from '../../../main/store/key-file.js';

const [storeDir, keyFile, prefix] = process.argv.slice(2);
if (!storeDir || !keyFile || !prefix) throw new Error('usage: crash-writer STORE_DIR KEY_FILE PREFIX');
const store = await EnrollmentStore.open(storeDir, await FileKeyWrapper.open(keyFile));
const embedding = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i + 1));
for (let i = 0; ; i++) {
  const person = await store.addPerson(`${prefix}-${i}`);
  await store.addTemplate(person.id, { recognizerId: 'crash-test', embedding });
  process.stdout.write(`saved ${prefix}-${i}\n`);
}
