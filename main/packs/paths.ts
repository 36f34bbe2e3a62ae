// Where the CLI keeps packs when no --root is given: the same folder the app uses (Electron's
// userData for the app name "Tobira", plus /models), so the CLI and the app share data.
import os from 'node:os';
import path from 'node:path';

export function userDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const home = os.homedir();
  switch (platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Tobira');
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Tobira');
    default:
      return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'Tobira');
  }
}

/** $TOBIRA_MODELS_DIR, else <userData>/models. */
export function defaultModelsRoot(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  return path.resolve(env.TOBIRA_MODELS_DIR || path.join(userDataDir(env, platform), 'models'));
}
