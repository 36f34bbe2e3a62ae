import { session } from 'electron';
import { APP_ORIGIN, isPermissionAllowed } from '../security.js';
import { originOf } from '../ipc/gate.js';

/** Camera for the app's own page; everything else, for everyone, is denied. */
export function setupPermissions(appContentsId: () => number | null): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
    const origin = originOf(details.requestingUrl) ?? '';
    callback(
      contents.id === appContentsId() && isPermissionAllowed(permission, origin, APP_ORIGIN, mediaTypes),
    );
  });
  ses.setPermissionCheckHandler((contents, permission, requestingOrigin) => {
    return (
      contents?.id === appContentsId() &&
      isPermissionAllowed(permission, originOf(requestingOrigin) ?? '', APP_ORIGIN)
    );
  });
  ses.setDevicePermissionHandler(() => false);
}
