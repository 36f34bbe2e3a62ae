// Registers every contract channel on ipcMain through the one gate, and the
// frame port. The handlers themselves are main/ipc/handlers.ts.
import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { CHANNEL_NAMES, FRAME_PORT_CHANNEL, IPC_PREFIX } from '../../preload/contract/index.js';
import type { EventName, Events } from '../../preload/contract/events.js';
import type { IpcGate, Sender } from '../ipc/gate.js';
import { wireIpc } from '../ipc/wire.js';
import { APP_ORIGIN } from '../security.js';
import type { AppServices } from '../services.js';

function senderOf(event: IpcMainEvent | IpcMainInvokeEvent): Sender {
  const frame = event.senderFrame;
  return {
    contentsId: event.sender.id,
    url: frame?.url ?? '',
    isTopFrame: frame !== null && frame === event.sender.mainFrame,
  };
}

export function setupIpc(
  services: AppServices,
  appContentsId: () => number | null,
  forward: <E extends EventName>(event: E, payload: Events[E]) => void,
): IpcGate {
  const { gate, frames } = wireIpc(services, [APP_ORIGIN], appContentsId);
  for (const name of CHANNEL_NAMES) {
    ipcMain.handle(IPC_PREFIX + name, (event, payload: unknown) =>
      gate.handle(name, senderOf(event), payload),
    );
  }
  ipcMain.on(FRAME_PORT_CHANNEL, (event) => {
    const sender = senderOf(event);
    const port = event.ports[0];
    if (!port || gate.checkSender(sender)) return;
    port.on('message', ({ data }) => {
      const refused = frames.submit(sender, data, (result) => port.postMessage(result));
      if (refused) services.log(`frame refused: ${refused.message}`);
    });
    port.start();
  });
  services.events.subscribe((event, payload) => {
    if (event !== 'frameResult') forward(event, payload);
  });
  return gate;
}
