// main/electron/ipc.ts hands the gate senderOfIpcEvent(event) for every message. Here that
// mapping runs on events shaped as Electron documents IpcMainInvokeEvent / IpcMainEvent
// (sender: WebContents with its id and mainFrame; senderFrame: the WebFrameMain that sent it,
// null once it navigated away or was destroyed), and its result goes through the real gate.
// The Electron-only e2e test (test/e2e/electron.test.ts) still runs it inside Electron where
// the binary is installed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IpcGate, type HandlerTable } from '../../../main/ipc/gate.js';
import { senderOfIpcEvent, type IpcEventLike } from '../../../main/ipc/sender.js';
import { APP_ENTRY_URL, APP_ORIGIN } from '../../../main/security.js';

const APP_ID = 4;

/** A WebFrameMain as Electron documents it: url, and its place in the frame tree. */
interface Frame {
  url: string;
  parent: Frame | null;
  top: Frame | null;
}
function topFrame(url: string): Frame {
  const frame: Frame = { url, parent: null, top: null };
  frame.top = frame;
  return frame;
}
const childOf = (parent: Frame, url: string): Frame => ({ url, parent, top: parent.top });

/** An IpcMainInvokeEvent's sender fields: WebContents `id` and `mainFrame`, and `senderFrame`. */
function invokeEvent(contentsId: number, mainFrame: Frame, senderFrame: Frame | null): IpcEventLike {
  return { sender: { id: contentsId, mainFrame }, senderFrame };
}

describe('senderOfIpcEvent: the Electron event as the gate sees it', () => {
  const gate = new IpcGate({} as HandlerTable, {
    allowedOrigins: [APP_ORIGIN],
    appContentsId: () => APP_ID,
    admin: { isActive: () => false },
    auditAdmin: async () => {},
    // Only senders are checked here; no channel is called.
    pinAgain: () => Promise.reject(new Error('no channel is called in this test')),
  });
  const app = topFrame(APP_ENTRY_URL);

  test("the app window's own page: its id, its URL, the top frame; the gate lets it through", () => {
    const sender = senderOfIpcEvent(invokeEvent(APP_ID, app, app));
    assert.deepEqual(sender, { contentsId: APP_ID, url: APP_ENTRY_URL, isTopFrame: true });
    assert.equal(gate.checkSender(sender), null);
  });

  const refused: [string, IpcEventLike, Partial<ReturnType<typeof senderOfIpcEvent>>][] = [
    [
      'an iframe of the app page at the very same URL (another WebFrameMain)',
      invokeEvent(APP_ID, app, childOf(app, APP_ENTRY_URL)),
      { isTopFrame: false },
    ],
    [
      'an iframe from another origin',
      invokeEvent(APP_ID, app, childOf(app, 'https://evil.example/x.html')),
      { isTopFrame: false, url: 'https://evil.example/x.html' },
    ],
    [
      'a frame that navigated away or was destroyed (senderFrame null)',
      invokeEvent(APP_ID, app, null),
      { isTopFrame: false, url: '' },
    ],
    [
      'the top frame after navigating to another origin',
      (() => {
        const moved = topFrame('https://evil.example/');
        return invokeEvent(APP_ID, moved, moved);
      })(),
      { isTopFrame: true, url: 'https://evil.example/' },
    ],
    [
      'the app page in another WebContents',
      (() => {
        const other = topFrame(APP_ENTRY_URL);
        return invokeEvent(APP_ID + 1, other, other);
      })(),
      { contentsId: APP_ID + 1, isTopFrame: true },
    ],
  ];
  for (const [name, event, expected] of refused) {
    test(`refused: ${name}`, () => {
      const sender = senderOfIpcEvent(event);
      for (const [key, value] of Object.entries(expected)) {
        assert.equal(sender[key as keyof typeof sender], value, key);
      }
      assert.equal(gate.checkSender(sender)?.code, 'FORBIDDEN_SENDER');
    });
  }
});
