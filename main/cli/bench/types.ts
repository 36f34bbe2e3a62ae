// The contract between bench-suite and its sections.

export interface BenchContext {
  /** A pack folder of .onnx files. */
  modelsDir: string;
  /** The real test data, when present: ../shared/models and ../shared/faces. */
  sharedModelsDir: string | null;
  facesDir: string | null;
  /** onnxruntime intra-op threads (0 = the runtime's default). */
  threads: number;
  /** For progress lines (stderr). */
  log: (line: string) => void;
}

export interface BenchSection {
  title: string;
  /** Returns plain JSON-able figures; bench-suite prints them and collects them for --json. */
  run(ctx: BenchContext): Promise<Record<string, unknown>>;
}
