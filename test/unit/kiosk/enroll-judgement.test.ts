// Issue 16: the admin's camera enrollment showed a green "Good: hold still" box while the
// enrollment gate refused every frame for head angle (`look_straight`): the box read the
// frame's guidance, and the gate judged the frame again on its own. Now one judgement
// (recognition/judge-frame.ts) serves both: a frame the gate refuses says why in its result.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { AuditLog } from '../../../main/audit/audit-log.js';
import { within } from '../../helpers/deadline.js';
import type { AdminRecord } from '../../../main/audit/types.js';
import { createNodeServices, type NodeServices } from '../../helpers/node-services.js';
import { facePath, TEST_PACK_FILES, packCopy } from '../../helpers/fixtures.js';
import { noisy, rgbaFrameOf, type RgbaFrame } from '../../helpers/camera-frames.js';
import { wireIpc, type WiredIpc } from '../../../main/ipc/wire.js';
import type { Sender } from '../../../main/ipc/gate.js';
import { APP_ORIGIN } from '../../../main/security.js';
import type { EnrollStatus } from '../../../preload/contract/index.js';
import type { FrameResult } from '../../../preload/contract/frames.js';

const UI_ID = 1;
const ui: Sender = { contentsId: UI_ID, url: `${APP_ORIGIN}/index.html`, isTopFrame: true };
const PIN = '582046';
// Real photos of one person (yaw from their keypoints, test/unit/recognition/capture-session.test.ts):
// obama.jpg ≈ 0°, obama2.jpg ≈ −20°: well inside the quality gate's 35°, outside the front step's ±8°.
const FRONT = 'photos/face_recognition/obama.jpg';
const TURNED = 'photos/face_recognition/obama2.jpg';

describe('camera enrollment: what the admin screen says comes from the gate’s judgement', () => {
  let node: NodeServices;
  let ipc: WiredIpc;
  let nextId = 1;

  before(async () => {
    node = await createNodeServices();
    await node.services.packs.import(packCopy(TEST_PACK_FILES), { name: 'test-pack' });
    await node.services.engine.start();
    // No capture context: only the admin's UI renderer sends frames here.
    ipc = wireIpc(node.services, [APP_ORIGIN], () => UI_ID);
    assert.equal((await ipc.gate.handle('setAdminPin', ui, { pin: PIN })).ok, true);
  });
  after(() => node.services.close());

  async function show(frame: RgbaFrame): Promise<FrameResult> {
    const noisyFrame = noisy(frame, nextId);
    const message = { id: nextId++, width: frame.width, height: frame.height, data: noisyFrame.rgba };
    return new Promise<FrameResult>((resolve, reject) => {
      const refused = ipc.frames.submit(ui, message, resolve);
      if (refused) reject(new Error(`frame refused: ${refused.message}`));
    });
  }

  test('a turned head while the front view is wanted: refused, and the frame says so', async () => {
    const added = await ipc.gate.handle('addPerson', ui, { name: 'Barack Obama' });
    assert.ok(added.ok, JSON.stringify(added));
    const id = (added.value as { id: string }).id;
    const started = await ipc.gate.handle('startEnrollment', ui, { id, target: 5, pin: PIN });
    assert.ok(started.ok, JSON.stringify(started));
    assert.equal((started.value as EnrollStatus).hint, 'look_straight');

    const turned = await rgbaFrameOf(facePath(TURNED));
    for (let i = 0; i < 3; i++) {
      const result = await show(turned);
      const status = node.services.engine.current!.enrollStatus();
      assert.equal(status.accepted, 0, 'a turned face was taken as the front view');
      assert.equal(status.lastRefusal, 'look_straight');
      assert.equal(result.faces.filter((f) => f.counts).length, 1, 'the face that counts is marked');
      assert.equal(
        result.guidance,
        'look_straight',
        'the frame the gate refused carried no guidance: the screen said "Good: hold still"',
      );
    }

    const front = await show(await rgbaFrameOf(facePath(FRONT)));
    const status = node.services.engine.current!.enrollStatus();
    assert.equal(status.accepted, 1, 'the front view was not taken');
    assert.equal(status.lastRefusal, null);
    assert.equal(front.guidance, 'turn_left', 'after the front view, the next step is asked for');
    await ipc.gate.handle('stopEnrollment', ui, undefined);
  });

  // Issue 20: the duplicate check at camera enrollment, as at photo import and `tobira enroll`.
  test('the same person under a second name is flagged before saving; the admin decides; the audit says so', async () => {
    const statuses: EnrollStatus[] = [];
    const off = node.services.events.subscribe((event, payload) => {
      if (event === 'enrollStatus') statuses.push(payload as EnrollStatus);
    });
    after(off);
    const person = async (name: string): Promise<string> => {
      const added = await ipc.gate.handle('addPerson', ui, { name });
      assert.ok(added.ok, JSON.stringify(added));
      return (added.value as { id: string }).id;
    };
    const templatesOf = async (id: string): Promise<number> => {
      const list = await ipc.gate.handle('listPeople', ui, undefined);
      assert.ok(list.ok, JSON.stringify(list));
      return (list.value as { id: string; templates: number }[]).find((p) => p.id === id)!.templates;
    };
    /** One camera sample of `file` for `id`; the status the screen was sent for it. */
    const enrollOnce = async (id: string, file: string, allowLookalike?: boolean): Promise<EnrollStatus> => {
      const started = await ipc.gate.handle('startEnrollment', ui, {
        id,
        target: 1,
        pin: PIN,
        ...(allowLookalike ? { allowLookalike } : {}),
      });
      assert.ok(started.ok, JSON.stringify(started));
      const before = statuses.length;
      await show(await rgbaFrameOf(facePath(file)));
      const sent = statuses.slice(before).filter((s) => s.personId === id);
      assert.ok(sent.length > 0, `no enrollment status was sent for ${file}`);
      return sent.at(-1)!;
    };

    // 'Barack Obama' holds the front view from the test above.
    const barack = await person('Barack');
    const flagged = await enrollOnce(barack, FRONT);
    assert.equal(flagged.done, true, 'the enrollment stops for the admin to decide');
    assert.equal(flagged.accepted, 0);
    assert.equal(flagged.lastRefusal, 'lookalike');
    assert.equal(flagged.lookalike?.name, 'Barack Obama');
    assert.equal(flagged.lookalike?.kept, false);
    assert.ok(flagged.lookalike.score >= 0.9, `the same photo scored ${flagged.lookalike.score}`);
    assert.equal(await templatesOf(barack), 0, 'nothing saved before the admin decides');

    const kept = await enrollOnce(barack, FRONT, true);
    assert.equal(kept.accepted, 1, 'the admin said they are different people: saved');
    assert.equal(kept.lookalike?.kept, true);
    assert.equal(await templatesOf(barack), 1);

    // Somebody else is not flagged.
    const biden = await person('Joe Biden');
    const other = await enrollOnce(biden, 'photos/face_recognition/knn_examples/train/biden/biden2.jpg');
    assert.equal(other.lookalike, null, `Biden was taken for ${other.lookalike?.name}`);
    assert.equal(other.accepted, 1);

    // The screen's lines are written as the statuses go out: wait for Biden's, the last one.
    const adminLines = async () =>
      (await new AuditLog(path.join(node.dataDir, 'audit')).readEntries()).records
        .filter((e): e is AdminRecord => e.kind === 'admin')
        .reverse(); // oldest first
    const lines = await within(
      "Biden's enroll line",
      (async () => {
        for (;;) {
          const all = await adminLines();
          if (all.some((l) => l.detail.personId === biden && l.action === 'enroll')) return all;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })(),
    );
    const ofBarack = lines.filter((l) => l.detail.personId === barack);
    assert.deepEqual(
      ofBarack.filter((l) => l.action === 'enroll').map((l) => l.detail.lookalikes),
      [
        [
          {
            personId: flagged.lookalike.personId,
            name: 'Barack Obama',
            score: flagged.lookalike.score,
            kept: false,
          },
        ],
        [
          {
            personId: flagged.lookalike.personId,
            name: 'Barack Obama',
            score: kept.lookalike.score,
            kept: true,
          },
        ],
      ],
    );
    assert.deepEqual(
      ofBarack.filter((l) => l.action === 'enroll_start').map((l) => l.detail.allowLookalike ?? false),
      [false, true],
      "the admin's decision is in the audit",
    );
    const ofBiden = lines.filter((l) => l.detail.personId === biden && l.action === 'enroll');
    assert.equal(ofBiden.length, 1);
    assert.equal(ofBiden[0]!.detail.lookalikes, undefined);
  });
});
