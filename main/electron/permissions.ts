import { session } from 'electron';
import { APP_ORIGIN, isPermissionAllowed } from '../security.js';
import { originOf } from '../ipc/gate.js';

/** Camera for the app's own pages (the UI and the capture context); everything else, for everyone, is denied. */
export function setupPermissions(
  appContentsId: () => number | null,
  captureContentsId: () => number | null,
): void {
  const ses = session.defaultSession;
  const ours = (id: number | undefined) =>
    id !== undefined && (id === appContentsId() || id === captureContentsId());
  ses.setPermissionRequestHandler((contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
    const origin = originOf(details.requestingUrl) ?? '';
    callback(ours(contents.id) && isPermissionAllowed(permission, origin, APP_ORIGIN, mediaTypes));
  });
  ses.setPermissionCheckHandler((contents, permission, requestingOrigin) => {
    return (
      ours(contents?.id) && isPermissionAllowed(permission, originOf(requestingOrigin) ?? '', APP_ORIGIN)
    );
  });
  ses.setDevicePermissionHandler(() => false);
}
