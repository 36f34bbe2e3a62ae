// One wiring of gate, handlers and frames, used by the Electron shell and by
// the browser test harness alike: only the transport around it differs.
import { IpcGate } from './gate.js';
import { createHandlers } from './handlers/index.js';
import { FrameService } from '../frames/frame-service.js';
import type { AppServices } from '../services.js';

export interface WiredIpc {
  gate: IpcGate;
  frames: FrameService;
}

export function wireIpc(
  services: AppServices,
  allowedOrigins: readonly string[],
  appContentsId: () => number | null,
  /** The capture context's WebContents (frames/frame-routing.ts): the only source of decision frames. */
  captureContentsId: () => number | null = () => null,
): WiredIpc {
  const gate = new IpcGate(createHandlers(services), {
    allowedOrigins,
    appContentsId,
    captureContentsId,
    admin: services,
  });
  const frames = new FrameService(
    gate,
    () => services.frameAnalyzer(),
    () => services.adminPresent(),
    services.log,
  );
  return { gate, frames };
}
