// `tobira bench-suite` (npm run bench): every section in bench/sections.ts, one after another.
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchSections, type BenchContext } from '../bench/sections.js';
import { DOOR_MEMORY_ENV, doorMemory, type DoorMemorySpec } from '../bench/door-memory.js';
import { intOption, parse, type Command } from '../command.js';

const usage = `Usage: tobira bench-suite [--models DIR] [--threads T] [--only WORDS] [--json]

Runs every benchmark section (with --only, those whose title contains WORDS). Without --models, a pack of det_500m.onnx and
w600k_mbf_int8_dynq.onnx from ../shared/models (or $TOBIRA_TEST_MODELS) is used.`;

// The buffalo_sc-like pack the tests use.
const DEFAULT_PACK = ['det_500m.onnx', 'w600k_mbf_int8_dynq.onnx'];

function sharedDir(envName: string, fallback: string): string | null {
  const dir = process.env[envName] ?? path.resolve(process.cwd(), fallback);
  return existsSync(dir) ? dir : null;
}

export const command: Command = {
  summary: 'run all benchmark sections (npm run bench)',
  usage,
  async run(argv, io) {
    const child = process.env[DOOR_MEMORY_ENV];
    if (child) {
      // The fleet campus section's door, in a process of its own (bench/door-memory.ts).
      io.out(JSON.stringify(await doorMemory(JSON.parse(child) as DoorMemorySpec)));
      return 0;
    }
    const { values } = parse(
      argv,
      {
        models: { type: 'string' },
        threads: { type: 'string' },
        only: { type: 'string' },
        json: { type: 'boolean' },
      },
      false,
    );
    const sharedModelsDir = sharedDir('TOBIRA_TEST_MODELS', '../shared/models');
    let modelsDir = values.models;
    let tempPack: string | null = null;
    if (!modelsDir) {
      if (!sharedModelsDir) throw new Error('no --models given and ../shared/models not found');
      tempPack = mkdtempSync(path.join(os.tmpdir(), 'tobira-bench-pack-'));
      for (const f of DEFAULT_PACK) symlinkSync(path.join(sharedModelsDir, f), path.join(tempPack, f));
      modelsDir = tempPack;
    }
    const ctx: BenchContext = {
      modelsDir,
      sharedModelsDir,
      facesDir: sharedDir('TOBIRA_TEST_FACES', '../shared/faces'),
      threads: intOption(values.threads, 'threads', 0, 0),
      log: (line) => io.err(line),
    };
    const results: Record<string, unknown> = {};
    let failed = 0;
    try {
      const only = values.only?.toLowerCase();
      for (const section of benchSections.filter((s) => !only || s.title.toLowerCase().includes(only))) {
        io.err(`== ${section.title}`);
        try {
          results[section.title] = await section.run(ctx);
          if (!values.json) io.out(`== ${section.title}\n${JSON.stringify(results[section.title], null, 2)}`);
        } catch (err) {
          failed++;
          results[section.title] = { error: (err as Error).message };
          io.err(`${section.title}: ${(err as Error).message}`);
        }
      }
    } finally {
      if (tempPack) rmSync(tempPack, { recursive: true, force: true });
    }
    if (values.json) io.out(JSON.stringify(results));
    return failed ? 1 : 0;
  },
};
