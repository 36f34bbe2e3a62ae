// One wiring of gate, handlers and frames, used by the Electron shell and by
// the browser test harness alike: only the transport around it differs.
import { IpcGate, type Sender } from './gate.js';
import { createHandlers } from './handlers/index.js';
import { pinAgainOf } from './handlers/common.js';
import { FrameService, type FrameAnalyzer } from '../frames/frame-service.js';
import type { Kiosk } from '../kiosk/kiosk.js';
import type { AppServices } from '../services.js';

export interface WiredIpc {
  gate: IpcGate;
  frames: FrameService<Sender>;
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
    admin: services.adminSession,
    auditAdmin: services.adminAudit.record,
    pinAgain: pinAgainOf({ pin: services.pin, auditAdmin: services.adminAudit.record }),
  });
  const frames = new FrameService(
    gate,
    () => kioskAnalyzer(services.engine.current),
    () => services.adminSession.isActive(),
    services.log,
  );
  return { gate, frames };
}

/**
 * The kiosk as the frame service's analyzer; null while no engine is loaded. The route comes from
 * frames/frame-routing.ts: only capture frames, with no admin at the screen, are decided on; an
 * admin's frames are previewed or enrolled, never decided.
 */
export function kioskAnalyzer(kiosk: Kiosk | null): FrameAnalyzer | null {
  return kiosk ? (frame, route) => kiosk.analyzeFrame(frame, { decide: route === 'unlock' }) : null;
}
