// Photos side by side in one picture, with ffmpeg: two people in front of the door.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function sideBySide(left: string, right: string, height = 480): Promise<string> {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'tobira-compose-')), 'pair.png');
  await run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-i',
    left,
    '-i',
    right,
    '-filter_complex',
    `[0:v]scale=-2:${height}[a];[1:v]scale=-2:${height}[b];[a][b]hstack=inputs=2`,
    '-frames:v',
    '1',
    '-y',
    out,
  ]);
  return out;
}
