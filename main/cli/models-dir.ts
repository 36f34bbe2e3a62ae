// --models: a pack folder (with .onnx files), or a models root whose active pack is used.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { PackManager } from '../packs/manager.js';
import { defaultModelsRoot } from '../packs/paths.js';

/** `root`: the data folder's models (CliIO.paths.modelsDir); absent: the app's default. */
export async function resolveModelsDir(value: string | undefined, root?: string): Promise<string> {
  const dir = path.resolve(value ?? root ?? defaultModelsRoot());
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new Error(
      `${dir}: cannot read the models folder (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  if (names.some((n) => n.toLowerCase().endsWith('.onnx'))) return dir;
  const active = await new PackManager({ root: dir }).getActive();
  if (!active)
    throw new Error(`${dir}: no .onnx files and no active model pack (install one, or pass --models DIR)`);
  return path.join(dir, active);
}
