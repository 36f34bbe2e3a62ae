// `tobira models list|download|import|verify|remove|use`: the model packs from the command line,
// against the app's models root or any --root / --catalog (a mirror, a loopback test server).
import { PackError } from '../../packs/errors.js';
import { formatBytes } from '../../packs/hash.js';
import { PackManager, type PackProgress } from '../../packs/manager.js';
import { defaultModelsRoot } from '../../packs/paths.js';
import { parse, UsageError, type CliIO, type Command } from '../command.js';

const usage = `Usage:
  tobira models list [--json]
  tobira models download NAME [--accept-license]
  tobira models import ZIP|DIR [--name NAME]
  tobira models verify NAME [--json]
  tobira models remove NAME
  tobira models use NAME                 make NAME the active pack
All take --root DIR (default: $TOBIRA_MODELS_DIR or the app's models folder) and --catalog FILE.`;

const options = {
  root: { type: 'string' },
  catalog: { type: 'string' },
  json: { type: 'boolean' },
  name: { type: 'string' },
  'accept-license': { type: 'boolean' },
} as const;

function progressPrinter(io: CliIO): (p: PackProgress) => void {
  let lastStep = -1;
  let lastPhase = '';
  return (p) => {
    const step = p.percent === null ? -1 : Math.floor(p.percent / 10);
    if (step === lastStep && p.phase === lastPhase) return;
    lastStep = step;
    lastPhase = p.phase;
    const pct = p.percent === null ? '' : `${Math.floor(p.percent)}% `;
    const size = p.total ? `${formatBytes(p.bytes)} / ${formatBytes(p.total)}` : formatBytes(p.bytes);
    const rate =
      p.phase === 'download' && p.bytesPerSecond > 0
        ? `, ${formatBytes(Math.round(p.bytesPerSecond))}/s`
        : '';
    const eta = p.phase === 'download' && p.etaSeconds !== null ? `, ${Math.ceil(p.etaSeconds)} s left` : '';
    io.err(`${p.pack}: ${p.phase} ${pct}${size}${rate}${eta}`);
  };
}

function one(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected one ${what}, got ${positionals.length}`);
  return positionals[0]!;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parse(rest, options);
  const manager = new PackManager({
    root: values.root ?? io.paths?.modelsDir ?? defaultModelsRoot(),
    ...(values.catalog ? { catalogPath: values.catalog } : {}),
  });
  try {
    switch (sub) {
      case 'list': {
        const packs = await manager.list();
        if (values.json) {
          const rows = packs.map((p) => ({
            name: p.name,
            installed: p.installed,
            active: p.active,
            size: p.size,
            license: p.license,
          }));
          io.out(JSON.stringify({ packs: rows }));
        } else {
          for (const p of packs) {
            const flags = [
              p.active ? 'active' : '',
              p.installed ? 'installed' : 'available',
              p.kind === 'addon' ? 'add-on' : '',
            ]
              .filter(Boolean)
              .join(', ');
            io.out(`${p.name.padEnd(14)} ${(p.size ? formatBytes(p.size) : '?').padStart(10)}  ${flags}`);
          }
        }
        return 0;
      }
      case 'download': {
        const name = one(positionals, 'pack name');
        if (values['accept-license']) await manager.acknowledgeLicense(name);
        const controller = new AbortController();
        const onSigint = () => controller.abort();
        process.once('SIGINT', onSigint);
        try {
          await manager.download(name, { signal: controller.signal, onProgress: progressPrinter(io) });
        } finally {
          process.off('SIGINT', onSigint);
        }
        io.out(`installed ${name} in ${manager.packDir(name)}`);
        return 0;
      }
      case 'import': {
        const info = await manager.import(
          one(positionals, 'zip or folder'),
          values.name ? { name: values.name } : {},
        );
        io.out(`installed ${info.name} in ${manager.packDir(info.name)}${info.active ? ' (active)' : ''}`);
        return 0;
      }
      case 'verify': {
        const name = one(positionals, 'pack name');
        const report = await manager.verify(name);
        if (values.json) io.out(JSON.stringify(report));
        else if (report.ok) io.out(`${name}: ${report.files.length} files ok`);
        for (const problem of report.problems) io.err(problem);
        return report.ok ? 0 : 1;
      }
      case 'remove': {
        const name = one(positionals, 'pack name');
        await manager.remove(name);
        io.out(`removed ${name}`);
        return 0;
      }
      case 'use': {
        const name = one(positionals, 'pack name');
        await manager.setActive(name);
        io.out(`${name} is the active pack`);
        return 0;
      }
      default:
        throw new UsageError(sub ? `unknown models command '${sub}'` : 'expected a models command');
    }
  } catch (error) {
    if (!(error instanceof PackError)) throw error;
    io.err(`${error.code}: ${error.message}`);
    return 1;
  }
}

export const command: Command = {
  summary: 'model packs: list, download, import, verify, remove, use',
  usage,
  run,
};
