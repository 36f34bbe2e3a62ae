// The stranger rate: how often a stranger's attempt would be taken for someone at this gallery's
// size and the current threshold, and the threshold that keeps it at the admin's target
// (recognition/stranger-rate.ts). It reads the gallery of whichever people the kiosk uses.
import type { StrangerRateView } from '../../preload/contract/audit.js';
import type { Kiosk } from '../kiosk/kiosk.js';
import type { PeopleSource } from '../people/people-directory.js';
import { estimateStrangerRate } from '../recognition/stranger-rate.js';
import { requireKiosk, requirePeople } from './require.js';

export function strangerRate(
  kioskNow: Kiosk | null,
  source: PeopleSource,
  targetFpir: number,
): StrangerRateView {
  const kiosk = requireKiosk(kioskNow);
  const recognizer = kiosk.engine.recognizerId;
  const gallery = recognizer ? requirePeople(source).gallery(recognizer) : [];
  const rate = estimateStrangerRate(gallery, {
    threshold: kiosk.threshold,
    defaultThreshold: kiosk.engine.defaultThreshold,
    targetFpir,
  });
  return {
    people: rate.people,
    threshold: rate.threshold,
    fpir: rate.fpir,
    targetFpir: rate.targetFpir,
    suggestedThreshold: rate.suggestedThreshold,
    refusalsAtSuggested: rate.refusalsAtSuggested,
    genuinePairs: rate.genuinePairs,
    tooLargeForFaceAlone: rate.tooLargeForFaceAlone,
  };
}
