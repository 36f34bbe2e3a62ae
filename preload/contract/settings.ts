import { z } from 'zod';
import { channel } from './define.js';
import { NoArgs } from './app.js';

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
      })
      .strict(),
    liveness: z
      .object({ enabled: z.boolean(), threshold: z.number().min(0).max(1), challenge: z.boolean() })
      .strict(),
    door: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('none'), holdMs: z.int().min(0).max(60_000) }).strict(),
        z
          .object({
            kind: z.literal('command'),
            holdMs: z.int().min(0).max(60_000),
            command: z.string().min(1).max(1024),
            args: z.array(z.string().max(1024)).max(32),
          })
          .strict(),
        z
          .object({
            kind: z.literal('http'),
            holdMs: z.int().min(0).max(60_000),
            url: z.url().max(2048),
            method: z.enum(['GET', 'POST', 'PUT']),
            timeoutMs: z.int().min(100).max(60_000),
            retries: z.int().min(0).max(10),
          })
          .strict(),
      ]),
  })
  .strict();

export type Settings = z.infer<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  schemaVersion: 1,
  locale: 'en',
  camera: { deviceId: null, width: 1280, height: 720 },
  kiosk: { fullscreen: true, hideCursorAfterMs: 3000 },
  engine: { activePack: null, detSize: '320', provider: 'cpu', intraOpThreads: 0 },
  recognition: { mode: 'identify', threshold: null, framesToAgree: 3, agreeWithinMs: 3000, cooldownMs: 10_000 },
  liveness: { enabled: true, threshold: 0.5, challenge: false },
  door: { kind: 'none', holdMs: 3000 },
};

/** A top-level section replaced as a whole: simple to validate, nothing half-merged. */
export const SettingsPatchSchema = SettingsSchema.omit({ schemaVersion: true }).partial().strict();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

export const settingsChannels = {
  getSettings: channel<Settings>()(NoArgs),
  updateSettings: channel<Settings>()(SettingsPatchSchema),
};
