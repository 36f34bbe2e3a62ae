// Calibration: genuine and impostor scores from the enrolled people of the recognizer in use,
// and the threshold suggested for a false-accept rate (recognition/calibration.ts). It reads the
// gallery of whichever people the kiosk uses (the store or the fleet).
import type { Calibration } from '../../preload/contract/audit.js';
import type { Kiosk } from '../kiosk/kiosk.js';
import type { PeopleSource } from '../people/people-directory.js';
import { calibrate } from '../recognition/calibration.js';
import { requireKiosk, requirePeople } from './require.js';

export function calibration(kioskNow: Kiosk | null, source: PeopleSource, targetFar: number): Calibration {
  const kiosk = requireKiosk(kioskNow);
  const recognizer = kiosk.engine.recognizerId;
  const gallery = recognizer ? requirePeople(source).gallery(recognizer) : [];
  const floor = kiosk.engine.defaultThreshold;
  const result = calibrate(gallery, { targetFar, floor });
  return {
    recognizer: kiosk.engine.analysis.info.recognizer?.file ?? null,
    genuine: result.genuine,
    impostor: result.impostor,
    suggested: result.suggestedThreshold,
    targetFar,
    current: kiosk.threshold,
    roc: result.roc,
    defaultThreshold: floor,
    pairsNeeded: result.pairsNeeded,
    refusedBelowDefault: result.refusedBelowFloor,
  };
}
