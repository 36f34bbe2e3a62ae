// Where the app keeps its data. Everything lives under one data folder
// (Electron's userData by default); each part can be moved by a flag or an
// environment variable, for tests, installs and air-gapped sites.
import path from 'node:path';
import { parseArgs } from 'node:util';

export interface AppPaths {
  dataDir: string;
  settingsDir: string;
  modelsDir: string;
  storeDir: string;
  auditDir: string;
  /** A catalog file overriding models/catalog.json; null uses the bundled one. */
  catalogFile: string | null;
}

const FLAGS = {
  'data-dir': { type: 'string' },
  'models-dir': { type: 'string' },
  'store-dir': { type: 'string' },
  catalog: { type: 'string' },
} as const;

/** Flags win over environment variables, which win over the default data folder. */
export function resolvePaths(
  defaultDataDir: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): AppPaths {
  const { values } = parseArgs({ args: [...argv], options: FLAGS, strict: false, allowPositionals: true });
  const flag = (name: keyof typeof FLAGS): string | undefined => {
    const value = values[name];
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  };
  const dataDir = path.resolve(flag('data-dir') ?? env.TOBIRA_DATA_DIR ?? defaultDataDir);
  const under = (name: string) => path.join(dataDir, name);
  const catalog = flag('catalog') ?? env.TOBIRA_CATALOG;
  return {
    dataDir,
    settingsDir: dataDir,
    modelsDir: path.resolve(flag('models-dir') ?? env.TOBIRA_MODELS_DIR ?? under('models')),
    storeDir: path.resolve(flag('store-dir') ?? env.TOBIRA_STORE_DIR ?? under('store')),
    auditDir: under('audit'),
    catalogFile: catalog ? path.resolve(catalog) : null,
  };
}
