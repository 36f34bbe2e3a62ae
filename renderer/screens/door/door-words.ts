// What the door screen says, chosen by code. Main sends codes (a decision's reason, the engine's
// state, the camera's state, the fleet's notice), never words for this screen, and no raw error
// (ECONNREFUSED, HTTP 503, a model's file name or hash) ever reaches it: those go to the admin's
// audit view and the log. Every sentence here says what the person at the door can do, and a
// refusal never accuses ("We could not confirm", not "a photo cannot open the door").
import { t, type MessageKey } from '../../i18n/index.js';
import type { CameraState } from '../../components/camera-view/camera-view.js';
import type { DecisionEvent, EngineStatus } from '../../../preload/contract/events.js';
import type { DoorFleetNotice } from '../../../preload/contract/fleet.js';
import type { Guidance } from '../../../preload/contract/frames.js';

/** The three results a door shows full-width, each with its own chime (door-sound.ts). */
export type DoorResult = 'open' | 'refused' | 'help';

/**
 * How the large line looks: a plain prompt, a result, the lockout's rest, or a fault that
 * needs a person (the camera, the models, the fleet).
 */
export type DoorTone = 'info' | 'rest' | 'fault' | DoorResult;

export interface DoorLine {
  tone: DoorTone;
  text: string;
  hint?: string;
  /** What is spoken with the chime, for results only. */
  spoken?: string;
}

/** Whole seconds left, rounded up: "1 s" until the very end, never "0 s" while it lasts. */
export const secondsLeft = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/** A decision as the door shows it (one attempt, one result). */
export function resultLine(decision: DecisionEvent, livenessMissing: boolean): DoorLine {
  const askReception = { hint: t('door.askReception'), spoken: t('door.askReceptionSpoken') };
  if (decision.outcome === 'unlocked') {
    const welcome = t('unlock.welcomeName', { name: decision.personName ?? '' });
    return { tone: 'open', text: welcome, hint: t('door.open'), spoken: welcome };
  }
  if (decision.outcome === 'door_failed') return { tone: 'help', text: t('door.doorFault'), ...askReception };
  const tryAgain = t('door.tryAgainSpoken');
  if (decision.lockedForMs && decision.lockedForMs > 0 && decision.challengeMiss)
    // A person who missed their turns too often waits alone; the door stays open to others.
    return {
      tone: 'refused',
      text: t('door.personWait', { seconds: secondsLeft(decision.lockedForMs) }),
      hint: t('door.personWaitHint'),
      spoken: tryAgain,
    };
  if (decision.challengeMiss && decision.challengeMiss !== 'face_changed')
    return { tone: 'refused', text: t(`door.miss.${decision.challengeMiss}`), spoken: tryAgain };
  const reason = decision.reason;
  if (reason.startsWith('not_live') || reason === 'challenge_failed') {
    // Without its models liveness refuses everyone: nobody at the door can fix that.
    if (livenessMissing) return { tone: 'help', text: t('door.notReady'), ...askReception };
    return { tone: 'refused', text: t('door.notConfirmed'), hint: t('door.tryAgainHint'), spoken: tryAgain };
  }
  // A fleet door's rules (main/kiosk/kiosk-fleet.ts), in plain words.
  const rule: Partial<Record<string, [MessageKey, MessageKey, DoorResult]>> = {
    not_permitted_now: ['unlock.notPermittedNow', 'unlock.notPermittedNowNext', 'refused'],
    offline_too_long: ['unlock.offlineTooLong', 'unlock.offlineTooLongNext', 'help'],
    person_disabled: ['unlock.personDisabled', 'unlock.personDisabledNext', 'help'],
  };
  const words = rule[reason];
  if (words)
    return {
      tone: words[2],
      text: t(words[0]),
      hint: t(words[1]),
      spoken: words[2] === 'help' ? t('door.askReceptionSpoken') : tryAgain,
    };
  return {
    tone: 'refused',
    text: t('unlock.notRecognised'),
    hint: t('unlock.notRecognisedNext'),
    spoken: tryAgain,
  };
}

/**
 * A state of the door itself that no one at it can fix, in the large line: the models, the
 * camera, a fleet door offline too long. Null: the door works.
 */
export function faultLine(
  engine: EngineStatus | null,
  camera: CameraState,
  fleet: DoorFleetNotice | null,
): DoorLine | null {
  if (engine?.state === 'no-models')
    return { tone: 'fault', text: t('engine.noModels'), hint: t('engine.noModelsHint') };
  // The models failed to load: the detail (file names, hashes) is on the admin's Models tab.
  if (engine?.state === 'error')
    return { tone: 'fault', text: t('door.notReady'), hint: t('door.askReception') };
  const cameraWords: Partial<Record<CameraState, MessageKey>> = {
    missing: 'door.cameraMissing',
    unplugged: 'door.cameraUnplugged',
    denied: 'door.cameraOff',
    error: 'door.cameraMissing',
  };
  const cameraKey = cameraWords[camera];
  if (cameraKey) return { tone: 'fault', text: t(cameraKey), hint: t('door.cameraHint') };
  if (fleet?.joined && fleet.offlineTooLong)
    return { tone: 'fault', text: t('unlock.offlineTooLong'), hint: t('unlock.offlineTooLongNext') };
  return null;
}

/** Everyone's lockout after repeated refusals: shown with its time left, and not anyone's fault. */
export function restLine(leftMs: number): DoorLine {
  return {
    tone: 'rest',
    text: t('door.restingTitle', { seconds: secondsLeft(leftMs) }),
    hint: t('door.restingHint'),
  };
}

/**
 * The prompt while someone stands at the door. A frame the liveness check doubts says only
 * "hold still": one attempt shows one result, and a live person is never told they look like
 * a photo on the way to being let in.
 */
export function promptLine(guidance: Guidance | null, codeNote: string | null): DoorLine {
  if (codeNote) return { tone: 'info', text: codeNote };
  if (guidance === 'not_live') return { tone: 'info', text: t('guidance.hold_still') };
  if (guidance) return { tone: 'info', text: t(`guidance.${guidance}`) };
  return { tone: 'info', text: t('unlock.welcome') };
}
