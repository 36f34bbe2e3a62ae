// Settings in electron-store's format (Conf): a corrupt or invalid file is
// kept aside, replaced by defaults, and reported — never silently lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { SettingsService } from '../../../main/settings/settings-service.js';
import { DEFAULT_SETTINGS, type Settings } from '../../../preload/contract/settings.js';

const factory = (opts: ConstructorParameters<typeof Conf<Settings>>[0]) => new Conf<Settings>(opts);
const freshDir = () => mkdtempSync(path.join(os.tmpdir(), 'tobira-settings-'));

test('a first launch gets the defaults and no notice', () => {
  const dir = freshDir();
  const settings = SettingsService.open(dir, factory);
  assert.deepEqual(settings.get(), DEFAULT_SETTINGS);
  assert.equal(settings.notice, null);
});

test('updates persist across opens', () => {
  const dir = freshDir();
  SettingsService.open(dir, factory).update({
    locale: 'ja',
    liveness: { enabled: false, threshold: 0.6, level: 'high' },
  });
  const again = SettingsService.open(dir, factory).get();
  assert.equal(again.locale, 'ja');
  assert.deepEqual(again.liveness, { enabled: false, threshold: 0.6, level: 'high' });
});

test('an invalid update is refused and nothing is written', () => {
  const dir = freshDir();
  const settings = SettingsService.open(dir, factory);
  assert.throws(() => settings.update({ camera: { deviceId: null, width: 5, height: 5 } }));
  assert.deepEqual(SettingsService.open(dir, factory).get().camera, DEFAULT_SETTINGS.camera);
});

const badFiles: [string, string][] = [
  ['truncated JSON', '{"schemaVersion": 1, "locale": "ja"'],
  ['not JSON at all', '\u0000\u0001binary garbage'],
  ['a wrong type', JSON.stringify({ ...DEFAULT_SETTINGS, locale: 42 })],
  ['an unknown door kind', JSON.stringify({ ...DEFAULT_SETTINGS, door: { kind: 'laser', holdMs: 1 } })],
  [
    'a NaN-like threshold',
    JSON.stringify({
      ...DEFAULT_SETTINGS,
      recognition: { ...DEFAULT_SETTINGS.recognition, threshold: 'high' },
    }),
  ],
  ['a number for the document', '42'],
];
for (const [name, content] of badFiles) {
  test(`a settings file with ${name} is kept aside, replaced by defaults, and reported`, () => {
    const dir = freshDir();
    const file = path.join(dir, 'settings.json');
    writeFileSync(file, content);
    const settings = SettingsService.open(dir, factory, () => new Date('2026-11-28T10:00:00Z'));
    assert.deepEqual(settings.get(), DEFAULT_SETTINGS);
    assert.ok(settings.notice, 'no notice for the user');
    assert.ok(settings.notice.reason.length > 0);
    assert.ok(existsSync(settings.notice.backupPath));
    assert.equal(
      readFileSync(settings.notice.backupPath, 'utf8'),
      content,
      'the bad file was not kept as it was',
    );
    assert.ok(readdirSync(dir).includes('settings.json'));
    // The new file is good: the next launch has no notice.
    assert.equal(SettingsService.open(dir, factory).notice, null);
  });
}

test('a file from before liveness levels is migrated: the head-turn switch becomes the level', () => {
  for (const [challenge, level] of [
    [true, 'high'],
    [false, 'standard'],
  ] as const) {
    const dir = freshDir();
    const old = { ...DEFAULT_SETTINGS, liveness: { enabled: true, threshold: 0.55, challenge } };
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(old));
    const settings = SettingsService.open(dir, factory);
    assert.equal(settings.notice, null);
    assert.deepEqual(settings.get().liveness, { enabled: true, threshold: 0.55, level });
    // Written back in today's shape: the next open needs no migration.
    const onDisk = JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8')) as Settings;
    assert.deepEqual(onDisk.liveness, { enabled: true, threshold: 0.55, level });
  }
});

test('a settings file from before the screen section loads with its default, and a patch of another section keeps it', () => {
  const dir = freshDir();
  const { screen, ...before } = DEFAULT_SETTINGS;
  writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ ...before, locale: 'ja' }));
  const settings = SettingsService.open(dir, factory);
  assert.equal(settings.notice, null, 'an older file is not corrupt');
  assert.deepEqual([settings.get().locale, settings.get().screen], ['ja', screen]);
  settings.update({ screen: { doorName: 'Front door', volume: 0.3, voice: false } });
  settings.update({ locale: 'en' });
  assert.deepEqual(SettingsService.open(dir, factory).get().screen, {
    doorName: 'Front door',
    volume: 0.3,
    voice: false,
  });
});
