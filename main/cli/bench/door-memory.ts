// The door's whole memory with a campus-sized replica, measured in a process of its own (the
// bench's process holds the seeding's garbage): open the replica as a door starts, build the
// view, pack the gallery as the decision path does, collect garbage, read process.memoryUsage.
// The rows' sealed bytes stay in the replica's files (replica.ts), so RSS minus the matcher is the
// replica's index, the view's people and Node itself.
// No models are loaded (the face models add their own ~30-60 MB whatever the gallery's size).
// `tobira bench-suite` runs it when $TOBIRA_BENCH_DOOR_MEMORY holds the spec below as JSON.
import v8 from 'node:v8';
import vm from 'node:vm';
import { Replica } from '../../fleet/replica.js';
import { FleetView } from '../../fleet/view.js';
import { PackedGallery } from '../../recognition/packed-gallery.js';
import { limitYoungGeneration } from '../../util/door-heap.js';

export const DOOR_MEMORY_ENV = 'TOBIRA_BENCH_DOOR_MEMORY';

export interface DoorMemorySpec {
  dataDir: string;
  /** hex */
  localKey: string;
  fleetKey: string;
  fleet: string;
  recognizer: string;
}

export interface DoorMemory {
  open_s: number;
  /** CPU seconds of the start (what a shared machine cannot inflate). */
  open_cpu_s: number;
  rss_mb: number;
  /** RSS before the replica is opened (Node and the modules). */
  rss_empty_mb: number;
  /** What the people cost the door: rss_mb - rss_empty_mb. */
  people_mb: number;
  heap_used_mb: number;
  /** ArrayBuffers and Buffers outside the JS heap (the matrix, the replica's bytes). */
  array_buffers_mb: number;
  matcher_mb: number;
  /** The rows' sealed bytes: in the replica's files, read when asked (not in memory). */
  replica_sealed_mb: number;
  /** The replica's packed row index (row-index.ts), the one per-row structure it keeps in memory. */
  replica_index_mb: number;
  gallery_people: number;
  matrix_rows: number;
  storage: string;
}

const mb = (bytes: number): number => Number((bytes / 2 ** 20).toFixed(1));

export async function doorMemory(spec: DoorMemorySpec): Promise<DoorMemory> {
  v8.setFlagsFromString('--expose-gc');
  // As the kiosk's main process does (main/electron/main.ts).
  limitYoungGeneration();
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
  // The door before its people: Node, the modules, no replica.
  const empty = process.memoryUsage().rss;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const replica = await Replica.open(spec.dataDir, Buffer.from(spec.localKey, 'hex'), spec.fleet);
  const view = new FleetView(replica, Buffer.from(spec.fleetKey, 'hex'));
  const packed = PackedGallery.of(view.gallery(spec.recognizer));
  const openS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  gc();
  gc();
  const m = process.memoryUsage();
  return {
    open_s: Number(openS.toFixed(2)),
    open_cpu_s: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    rss_mb: mb(m.rss),
    rss_empty_mb: mb(empty),
    people_mb: mb(m.rss - empty),
    heap_used_mb: mb(m.heapUsed),
    array_buffers_mb: mb(m.arrayBuffers),
    matcher_mb: mb(packed.bytes),
    replica_sealed_mb: mb(replica.sealedBytes),
    replica_index_mb: mb(replica.indexBytes),
    gallery_people: packed.size,
    matrix_rows: packed.rows,
    storage: packed.storage,
  };
}
