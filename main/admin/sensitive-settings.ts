// Settings that decide who gets in: changing them asks for the admin PIN again,
// checked in main. A live admin session alone is not enough, so a compromised
// renderer that rides an open session still cannot retarget the door, lower the
// threshold or the agreeing frames, let a second face through, switch cameras, switch
// off liveness or swap the face models.
import type { Settings, SettingsPatch } from '../../preload/contract/settings.js';

/**
 * What a patch would change among the sensitive settings; empty when nothing sensitive changes.
 * `shown` is what the renderer was given (door secrets REDACTED): a door sent back as shown is
 * unchanged, since REDACTED keeps the stored secret.
 */
export function sensitiveChanges(
  current: Settings,
  patch: SettingsPatch,
  shown: Settings = current,
): string[] {
  const changed: string[] = [];
  const differs = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
  if (patch.door && differs(patch.door, current.door) && differs(patch.door, shown.door))
    changed.push('door');
  const recognition = patch.recognition;
  if (recognition && recognition.threshold !== current.recognition.threshold)
    changed.push('recognition.threshold');
  // Issue 17: one agreeing frame is easier to fool with a replay; a laxer second-face ratio lets a
  // second person through behind the first; another camera may be a device replaying someone.
  if (recognition && recognition.framesToAgree !== current.recognition.framesToAgree)
    changed.push('recognition.framesToAgree');
  if (recognition && recognition.secondFaceRatio !== current.recognition.secondFaceRatio)
    changed.push('recognition.secondFaceRatio');
  if (patch.camera && patch.camera.deviceId !== current.camera.deviceId) changed.push('camera.deviceId');
  if (patch.liveness && differs(patch.liveness, current.liveness)) changed.push('liveness');
  if (patch.engine && patch.engine.activePack !== current.engine.activePack)
    changed.push('engine.activePack');
  // Allowing a weaker admin PIN is itself a security decision.
  if (patch.adminPin && differs(patch.adminPin, current.adminPin)) changed.push('adminPin');
  return changed;
}
