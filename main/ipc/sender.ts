// Who sent an IPC message, as the gate needs it, from the event Electron gives ipcMain's
// listeners (IpcMainEvent, IpcMainInvokeEvent). A pure function, so it is tested against the
// event shapes Electron documents without an Electron binary (main/electron/ipc.ts uses it).
import type { Sender } from './gate.js';

/** A frame as Electron's WebFrameMain describes it: its URL (the part the gate reads). */
export interface IpcFrame {
  readonly url: string;
}

/** The fields of Electron's IpcMainEvent / IpcMainInvokeEvent that name the sender. */
export interface IpcEventLike {
  /** The WebContents that sent it: its id, and its top-level frame. */
  readonly sender: { readonly id: number; readonly mainFrame: IpcFrame };
  /** The frame that sent it; null once that frame has navigated away or been destroyed. */
  readonly senderFrame: IpcFrame | null;
}

/**
 * The gate's sender: the WebContents id, the sending frame's URL ('' when the frame is gone, which
 * no origin matches), and whether it is the top frame (the same WebFrameMain as the contents' main
 * frame; an iframe of the app page is another object, even at the same URL).
 */
export function senderOfIpcEvent(event: IpcEventLike): Sender {
  const frame = event.senderFrame;
  return {
    contentsId: event.sender.id,
    url: frame?.url ?? '',
    isTopFrame: frame !== null && frame === event.sender.mainFrame,
  };
}
