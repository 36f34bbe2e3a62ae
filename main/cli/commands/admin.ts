// `tobira admin set-pin`: the admin PIN, set on the PC itself. The kiosk's screen
// may choose the first PIN only on a kiosk never used (main/admin/pin-policy.ts);
// anywhere else, and for an installer provisioning the kiosk, it is set here, by
// someone who already has the PC's account.
import path from 'node:path';
import { AdminPin } from '../../admin/pin.js';
import { adminPinMinDigits, checkNewAdminPin } from '../../admin/pin-policy.js';
import { parse, UsageError, type Command } from '../command.js';
import { cliPaths } from '../data-dir.js';
import { readStdinLine } from '../read-line.js';
import { auditCli, openCliStore } from '../store-cli.js';

const usage = `Usage: tobira admin set-pin [--data-dir DIR] [--allow-weak-4-digit]

Sets the kiosk's admin PIN without the old one. The PIN is read twice: typed at the
terminal (not shown), or as two lines on standard input, e.g. from an installer:
  printf '%s\\n%s\\n' "$PIN" "$PIN" | tobira admin set-pin --data-dir /srv/tobira

  --data-dir DIR         the kiosk's data folder (default: $TOBIRA_DATA_DIR, else the app's)
  --allow-weak-4-digit   accept 4 or 5 digits (weaker); otherwise 6 to 12

Any lockout from wrong PINs is cleared. A running kiosk reads the new PIN at its next start.
The change is logged in the audit log when the CLI can open the store (its key file).`;

export const command: Command = {
  summary: 'set the admin PIN on this PC (first install, or a lost PIN)',
  usage,
  async run(argv, io) {
    // --data-dir is taken by the dispatcher (main/cli/tobira.ts) into io.paths.
    const { values, positionals } = parse(argv, { 'allow-weak-4-digit': { type: 'boolean' } });
    if (positionals.length !== 1 || positionals[0] !== 'set-pin') {
      throw new UsageError(`expected 'set-pin', got '${positionals.join(' ')}'`);
    }
    const paths = cliPaths(io);
    const pin = await readNewAdminPin(io.readLine ?? readStdinLine, values['allow-weak-4-digit'] === true);
    const file = await provisionAdminPin(paths.dataDir, pin);
    io.out(`admin PIN set in ${file}`);
    // The audit chain is keyed with the store's key: without it, a line here would break the chain.
    const store = await openCliStore({}, false, paths).catch(() => null);
    if (store)
      await auditCli(paths.auditDir, store, { action: 'pin_change', ok: true, detail: { via: 'set-pin' } });
    else io.err('not logged in the audit log: no enrollment store here that the CLI can open');
    return 0;
  },
};

/** A new admin PIN typed twice (or two lines on stdin), checked; an error names the problem. */
export async function readNewAdminPin(
  readLine: (prompt: string) => Promise<string | null>,
  allowWeak: boolean,
): Promise<string> {
  const pin = await readLine('New admin PIN: ');
  if (pin === null) throw new Error('no PIN was given');
  checkPin(pin.trim(), allowWeak);
  const again = await readLine('The same PIN again: ');
  if (again === null || again.trim() !== pin.trim())
    throw new Error('the two PINs differ; nothing was changed');
  return pin.trim();
}

/** Throws the policy's sentence when `pin` is not a PIN the kiosk accepts. */
export function checkPin(pin: string, allowWeak: boolean): void {
  const problem = checkNewAdminPin(pin, adminPinMinDigits(allowWeak));
  if (problem) throw new Error(problem.message);
}

/** Sets `pin` as the admin PIN of the data folder `dataDir` (lockout cleared); the file it wrote. */
export async function provisionAdminPin(dataDir: string, pin: string): Promise<string> {
  const file = path.join(dataDir, 'admin-pin.json');
  const result = await (await AdminPin.open(file)).provision(pin);
  if (!result.ok) throw new Error(result.message);
  return file;
}
