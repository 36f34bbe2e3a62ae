// Registers every contract channel on ipcMain through the one gate, and the
// frame port. The handlers themselves are main/ipc/handlers/index.ts.
import { ipcMain } from 'electron';
import { CHANNEL_NAMES, FRAME_PORT_CHANNEL, IPC_PREFIX } from '../../preload/contract/index.js';
import { CAPTURE_PORT_CHANNEL } from '../../preload/contract/capture.js';
import type { FrameResult } from '../../preload/contract/frames.js';
import type { EventName, Events } from '../../preload/contract/events.js';
import type { IpcGate } from '../ipc/gate.js';
import { senderOfIpcEvent } from '../ipc/sender.js';
import { wireIpc } from '../ipc/wire.js';
import { APP_ORIGIN } from '../security.js';
import type { AppServices } from '../services.js';

export function setupIpc(
  services: AppServices,
  appContentsId: () => number | null,
  captureContentsId: () => number | null,
  forward: <E extends EventName>(event: E, payload: Events[E]) => void,
): IpcGate {
  const { gate, frames } = wireIpc(services, [APP_ORIGIN], appContentsId, captureContentsId);
  // The UI's frame port: results of its own (admin) frames and of the door's frames go there.
  let uiPort: Electron.MessagePortMain | null = null;
  const toUi = (result: FrameResult) => uiPort?.postMessage(result);
  for (const name of CHANNEL_NAMES) {
    ipcMain.handle(IPC_PREFIX + name, (event, payload: unknown) =>
      gate.handle(name, senderOfIpcEvent(event), payload),
    );
  }
  ipcMain.on(FRAME_PORT_CHANNEL, (event) => {
    const sender = senderOfIpcEvent(event);
    const port = event.ports[0];
    if (!port || gate.checkSender(sender)) return;
    uiPort?.close();
    uiPort = port;
    port.on('message', ({ data }) => {
      const refused = frames.submit(sender, data, toUi);
      if (refused && refused.code !== 'FRAME_NOT_ROUTED') services.log(`frame refused: ${refused.message}`);
    });
    port.start();
  });
  // The capture context's port: door frames. The gate tells it apart by its WebContents.
  ipcMain.on(CAPTURE_PORT_CHANNEL, (event) => {
    const sender = senderOfIpcEvent(event);
    const port = event.ports[0];
    if (!port || sender.contentsId !== captureContentsId()) return;
    port.on('message', ({ data }) => {
      const refused = frames.submit(sender, data, toUi);
      if (refused && refused.code !== 'FRAME_NOT_ROUTED') services.log(`frame refused: ${refused.message}`);
    });
    port.start();
  });
  services.events.subscribe((event, payload) => {
    if (event !== 'frameResult') forward(event, payload);
  });
  return gate;
}
