// The product's version, from package.json (bundled in by esbuild), for the CLI;
// the Electron app reads the same field through app.getVersion().
import pkg from '../package.json' with { type: 'json' };

export const TOBIRA_VERSION: string = pkg.version;
