// `tobira admin set-pin`: the admin PIN, set on the PC itself. The kiosk's screen
// may choose the first PIN only on a kiosk never used (main/admin/pin-policy.ts);
// anywhere else, and for an installer provisioning the kiosk, it is set here, by
// someone who already has the PC's account.
import path from 'node:path';
import { AdminPin } from '../../admin/pin.js';
import { adminPinMinDigits, checkNewAdminPin } from '../../admin/pin-policy.js';
import { userDataDir } from '../../packs/paths.js';
import { parse, UsageError, type Command } from '../command.js';
import { readStdinLine } from '../read-line.js';

const usage = `Usage: tobira admin set-pin [--data-dir DIR] [--allow-weak-4-digit]

Sets the kiosk's admin PIN without the old one. The PIN is read twice: typed at the
terminal (not shown), or as two lines on standard input, e.g. from an installer:
  printf '%s\\n%s\\n' "$PIN" "$PIN" | tobira admin set-pin --data-dir /srv/tobira

  --data-dir DIR         the kiosk's data folder (default: $TOBIRA_DATA_DIR, else the app's)
  --allow-weak-4-digit   accept 4 or 5 digits (weaker); otherwise 6 to 12

Any lockout from wrong PINs is cleared. A running kiosk reads the new PIN at its next start.`;

export const command: Command = {
  summary: 'set the admin PIN on this PC (first install, or a lost PIN)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      'data-dir': { type: 'string' },
      'allow-weak-4-digit': { type: 'boolean' },
    });
    if (positionals.length !== 1 || positionals[0] !== 'set-pin') {
      throw new UsageError(`expected 'set-pin', got '${positionals.join(' ')}'`);
    }
    const dataDir = path.resolve(values['data-dir'] ?? (process.env.TOBIRA_DATA_DIR || userDataDir()));
    const readLine = io.readLine ?? readStdinLine;
    const pin = await readLine('New admin PIN: ');
    if (pin === null) throw new Error('no PIN was given');
    const problem = checkNewAdminPin(pin.trim(), adminPinMinDigits(values['allow-weak-4-digit'] === true));
    if (problem) throw new Error(problem.message);
    const again = await readLine('The same PIN again: ');
    if (again === null || again.trim() !== pin.trim())
      throw new Error('the two PINs differ; nothing was changed');
    const file = path.join(dataDir, 'admin-pin.json');
    const admin = await AdminPin.open(file);
    const result = await admin.provision(pin.trim());
    if (!result.ok) throw new Error(result.message);
    io.out(`admin PIN set in ${file}`);
    return 0;
  },
};
