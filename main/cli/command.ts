// What every `tobira` subcommand is: a name, a one-line summary, usage text and `run`.
// Adding a command = one file in commands/ exporting `command`, plus one line in tobira.ts.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { AppPaths } from '../paths.js';

/** Bad arguments: the CLI prints the message and the usage, and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  /** The data folder's paths from `--data-dir` (set by the dispatcher); absent: the app's default. */
  paths?: AppPaths;
}

export interface Command {
  summary: string;
  /** Usage text shown by `tobira <name> --help` and after a UsageError. */
  usage: string;
  /** Returns the exit code: 0 ok, 1 runtime error (2 comes from throwing UsageError). */
  run(argv: string[], io: CliIO): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs with its errors turned into UsageError. */
export function parse<O extends Options>(argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A positive integer option, or `fallback` when absent. */
export function intOption(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name}: expected an integer ≥ ${min}, got '${value}'`);
  return n;
}

/** A number option, or `fallback` when absent. */
export function numberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name}: expected a number, got '${value}'`);
  return n;
}

/** --det-size: 640, auto, or WxH. */
export function detSizeOption(value: string | undefined): [number, number] | 'auto' {
  if (value === undefined) return [640, 640];
  if (value === 'auto') return 'auto';
  const m = /^(\d+)(?:x(\d+))?$/.exec(value);
  if (!m) throw new UsageError(`--det-size: expected 640, auto or WxH, got '${value}'`);
  const w = Number(m[1]);
  const h = Number(m[2] ?? m[1]);
  if (w <= 0 || h <= 0 || w % 32 !== 0 || h % 32 !== 0) {
    throw new UsageError(`--det-size: sides must be positive multiples of 32, got '${value}'`);
  }
  return [w, h];
}

/** --models DIR is required by the engine commands, unless --data-dir names the app's data folder. */
export function modelsOption(value: string | undefined): string {
  if (!value) throw new UsageError('--models DIR is required (a folder of .onnx files), or --data-dir DIR');
  return value;
}
