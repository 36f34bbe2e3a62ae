// The Linux autostart entry and the `--autostart=on|off` switch.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  linuxAutostartEntry,
  linuxAutostartPath,
  parseAutostartSwitch,
  quoteExecArg,
  setLinuxAutostart,
} from '../../../main/util/autostart-entry.js';

/** Reads an Exec value back the way the desktop entry spec says a launcher does. */
function parseExec(value: string): string[] {
  // 1. The string escape (\\ → \), 2. the quoting rule, 3. %% → %.
  const unescaped = value.replace(/\\\\/g, '\\');
  const args: string[] = [];
  for (const [, quoted, bare] of unescaped.matchAll(/"((?:\\.|[^"\\])*)"|(\S+)/g)) {
    const arg = quoted !== undefined ? quoted.replace(/\\([\\"`$])/g, '$1') : bare!;
    args.push(arg.replace(/%%/g, '%'));
  }
  return args;
}

describe('--autostart switch', () => {
  const cases: [string[], 'on' | 'off' | null][] = [
    [[], null],
    [['/usr/bin/tobira', '--no-kiosk'], null],
    [['tobira', '--autostart=on'], 'on'],
    [['tobira', '--data-dir=/x', '--autostart=off'], 'off'],
  ];
  for (const [argv, want] of cases) {
    test(`${JSON.stringify(argv)} → ${want}`, () => assert.equal(parseAutostartSwitch(argv), want));
  }
  for (const bad of ['--autostart', '--autostart=', '--autostart=yes', '--autostart=ON']) {
    test(`${bad} is refused, naming what was wrong`, () => {
      assert.throws(
        () => parseAutostartSwitch(['tobira', bad]),
        /--autostart takes "on" or "off", got (no value|"yes"|"ON")/,
      );
    });
  }
});

describe('Linux autostart entry', () => {
  test('lives in $XDG_CONFIG_HOME/autostart, else ~/.config/autostart', () => {
    assert.equal(linuxAutostartPath({}, '/home/door'), '/home/door/.config/autostart/tobira.desktop');
    assert.equal(
      linuxAutostartPath({ XDG_CONFIG_HOME: '/etc/xdg-door' }, '/home/door'),
      '/etc/xdg-door/autostart/tobira.desktop',
    );
    // XDG says a relative value is invalid and must be ignored.
    assert.equal(
      linuxAutostartPath({ XDG_CONFIG_HOME: 'rel' }, '/home/door'),
      '/home/door/.config/autostart/tobira.desktop',
    );
  });

  test('quotes Exec arguments so a launcher reads back exactly the same command', () => {
    const command = [
      '/opt/Tobira/tobira',
      '/home/door/My Apps/Tobira.AppImage',
      'a"b',
      'cost$HOME',
      'back\\slash',
      '100%',
      'tick`s',
    ];
    const entry = linuxAutostartEntry('Tobira', command);
    const exec = /^Exec=(.*)$/m.exec(entry)?.[1];
    assert.ok(exec, entry);
    assert.deepEqual(parseExec(exec), command);
    assert.equal(quoteExecArg('/opt/Tobira/tobira'), '/opt/Tobira/tobira');
    assert.equal(quoteExecArg('back\\slash'), '"back\\\\\\\\slash"');
    assert.throws(() => quoteExecArg('two\nlines'), /line break/);
    assert.throws(() => linuxAutostartEntry('Tobira', []), /needs an executable/);
  });

  test('is a valid application entry that desktop sessions start', () => {
    const lines = linuxAutostartEntry('Tobira', ['/opt/Tobira/tobira']).trimEnd().split('\n');
    assert.equal(lines[0], '[Desktop Entry]');
    const keys = new Map(lines.slice(1).map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));
    assert.equal(keys.get('Type'), 'Application');
    assert.equal(keys.get('Name'), 'Tobira');
    assert.equal(keys.get('Exec'), '/opt/Tobira/tobira');
    assert.equal(keys.get('X-GNOME-Autostart-enabled'), 'true');
  });

  test('on writes the entry (creating the folder), off removes it, twice is harmless', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'tobira-autostart-'));
    try {
      const file = linuxAutostartPath({}, home);
      const entry = linuxAutostartEntry('Tobira', ['/opt/Tobira/tobira']);
      await setLinuxAutostart('on', file, entry);
      await setLinuxAutostart('on', file, entry);
      assert.equal(await readFile(file, 'utf8'), entry);
      assert.equal((await stat(file)).mode & 0o777, 0o644);
      await setLinuxAutostart('off', file, entry);
      await assert.rejects(stat(file), { code: 'ENOENT' });
      await setLinuxAutostart('off', file, entry);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
