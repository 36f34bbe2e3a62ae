import { z } from 'zod';
import { channel, pinAgainField } from './define.js';
import { NoArgs } from './app.js';

const HoldMs = z.int().min(100).max(60_000);
const TimeoutMs = z.int().min(100).max(60_000);
const DoorId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/);

/** The settings document: one schema for electron-store's file and for IPC updates. */
export const SettingsSchema = z
  .object({
    schemaVersion: z.literal(1),
    locale: z.enum(['en', 'ja']),
    camera: z
      .object({
        deviceId: z.string().max(512).nullable(),
        width: z.int().min(160).max(3840),
        height: z.int().min(120).max(2160),
      })
      .strict(),
    kiosk: z.object({ fullscreen: z.boolean(), hideCursorAfterMs: z.int().min(0).max(600_000) }).strict(),
    engine: z
      .object({
        activePack: z.string().max(128).nullable(),
        detSize: z.enum(['auto', '160', '320', '640']),
        provider: z.enum(['cpu', 'cuda', 'dml', 'coreml']),
        intraOpThreads: z.int().min(0).max(64),
      })
      .strict(),
    recognition: z
      .object({
        mode: z.enum(['identify', 'verify']),
        /** null: the recognizer's own default threshold. */
        threshold: z.number().min(-1).max(1).nullable(),
        framesToAgree: z.int().min(1).max(30),
        agreeWithinMs: z.int().min(100).max(60_000),
        cooldownMs: z.int().min(0).max(600_000),
        /**
         * Another face at this fraction of the subject's size or more refuses the unlock (one
         * person at a time); recognition/subject.ts explains the tailgating trade-off.
         */
        secondFaceRatio: z.number().min(0.2).max(1).default(0.6),
      })
      .strict(),
    liveness: z
      .object({
        enabled: z.boolean(),
        threshold: z.number().min(0).max(1),
        /** main/liveness/levels.ts: standard = passive layer; high = passive + 3-D structure + challenge. */
        level: z.enum(['standard', 'high']),
      })
      .strict(),
    privacy: z
      .object({
        /** Linux without a keyring keeps the store's key in plain text: templates need this opt-in. */
        allowInsecureKeyStorage: z.boolean(),
        /** Keep snapshots of failed attempts in the audit folder (they are photos of people). */
        auditSnapshots: z.boolean(),
      })
      .strict(),
    /**
     * The door screen as seen and heard: the name on its idle screen ('' shows none), and the
     * result as heard (renderer/screens/door/door-sound.ts): a Web Audio chime for each result at
     * `volume` (0 silent, 1 full), and a short spoken result when `voice` is on and the platform
     * has a voice for the screen's language. A settings file from before it gets the default
     * (electron-store fills missing top-level sections from DEFAULT_SETTINGS); no zod default
     * here, as zod 4 fills one into every partial patch and would reset the section each time.
     */
    screen: z
      .object({ doorName: z.string().max(64), volume: z.number().min(0).max(1), voice: z.boolean() })
      .strict(),
    /** 4-digit admin PINs are allowed only while this says, in its name, that they are weaker. */
    adminPin: z.object({ allowWeakFourDigits: z.boolean() }).strict(),
    /** The same shapes as main/door/types.ts, which checks them again before use. */
    door: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('none'), holdMs: HoldMs }).strict(),
        z
          .object({
            kind: z.literal('command'),
            holdMs: HoldMs,
            /** An id from doors.json on the PC: the program and its arguments are never settings. */
            doorId: DoorId,
          })
          .strict(),
        z
          .object({
            kind: z.literal('http'),
            holdMs: HoldMs,
            method: z.enum(['GET', 'POST', 'PUT']),
            url: z.url({ protocol: /^https?$/ }).max(2048),
            /** Allows plain http:// (the screen warns while on). */
            insecureNetwork: z.boolean(),
            /** Secret: returned redacted, stored sealed. */
            headers: z.record(z.string().max(256), z.string().max(4096)),
            body: z.string().max(16_384).optional(),
            /** Secret: the relay checks X-Tobira-Signature with it. */
            hmacKey: z.string().min(16).max(256),
            /** SPKI SHA-256 pins of the relay's key, base64. */
            pinSha256: z.array(z.string().regex(/^[A-Za-z0-9+/]{43}=$/)).max(8),
            /** A private CA (PEM) for the relay's certificate; null: the system's. */
            caPem: z.string().max(16_384).nullable(),
            timeoutMs: TimeoutMs,
            retries: z.int().min(0).max(5),
            backoffMs: z.int().min(0).max(10_000),
          })
          .strict(),
      ])
      .superRefine((door, ctx) => {
        if (door.kind === 'http' && door.url.startsWith('http:') && !door.insecureNetwork) {
          ctx.addIssue({
            code: 'custom',
            path: ['url'],
            message: 'plain http:// needs the insecure network switch; use https://',
          });
        }
      }),
  })
  .strict();

export type Settings = z.infer<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  schemaVersion: 1,
  locale: 'en',
  camera: { deviceId: null, width: 1280, height: 720 },
  kiosk: { fullscreen: true, hideCursorAfterMs: 3000 },
  engine: { activePack: null, detSize: '320', provider: 'cpu', intraOpThreads: 0 },
  recognition: {
    mode: 'identify',
    threshold: null,
    framesToAgree: 3,
    agreeWithinMs: 3000,
    cooldownMs: 10_000,
    secondFaceRatio: 0.6,
  },
  // standard by default, the level an office door should have: anyone can pass it without
  // instructions (no head turns, nothing to read; nobody is shut out for not being able to
  // turn their head), it costs no time beyond the agreeing frames, and it stops what an office
  // door meets (a printed photo, a phone or screen replay: README, "Liveness levels"). It does
  // not stop a mask (3 of 5 mask pictures pass it): a made-to-order mask is a targeted attack,
  // and where it is a real threat the admin chooses high, which adds a head-turn challenge and
  // refused every print, replay and mask measured. The admin screen says so in plain words.
  liveness: { enabled: true, threshold: 0.5, level: 'standard' },
  privacy: { allowInsecureKeyStorage: false, auditSnapshots: false },
  // 0.6: heard over a corridor's noise a metre away without startling anyone at the desk.
  screen: { doorName: '', volume: 0.6, voice: true },
  adminPin: { allowWeakFourDigits: false },
  door: { kind: 'none', holdMs: 3000 },
};

/** A top-level section replaced as a whole: simple to validate, nothing half-merged. */
export const SettingsPatchSchema = SettingsSchema.omit({ schemaVersion: true }).partial().strict();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

/**
 * Stands for a door secret (URL password, header value, HMAC key) in what main
 * returns; sent back unchanged, it keeps the stored secret. URL- and header-safe,
 * and long enough to pass the HMAC key's minimum length.
 */
export const REDACTED = 'REDACTED-SEALED-SECRET';

/** A door program from doors.json, as the admin screen lists it to choose one. */
export interface DoorProgramView {
  id: string;
  label: string | null;
  program: string;
  args: string[];
}
export interface DoorProgramList {
  programs: DoorProgramView[];
  /** Where the list lives on the PC (edit it there, or with `tobira door add`). */
  file: string;
  /** Why the file could not be used (it then allows no program); null when fine. */
  problem: string | null;
}

export const settingsChannels = {
  getSettings: channel<Settings>()(NoArgs, 'public'),
  /**
   * The door, the threshold, the agreeing frames, the second-face ratio, the camera device,
   * liveness, the active pack and the weak-PIN switch change only with `pin`, the admin PIN typed
   * again (main/admin/sensitive-settings.ts; PIN_REQUIRED without it).
   */
  updateSettings: channel<Settings>()(SettingsPatchSchema.extend(pinAgainField), 'admin', 'settings_change'),
  listDoorPrograms: channel<DoorProgramList>()(NoArgs, 'admin'),
};
