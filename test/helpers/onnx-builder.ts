// Builds small ONNX models in memory (a hand-written protobuf encoder for ModelProto), so tests
// can give the engine the exact input/output signatures of models not on this machine.
// Field numbers are onnx.proto's.

type Bytes = Uint8Array;

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function concat(parts: readonly Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const fieldVarint = (field: number, v: number): Bytes =>
  Uint8Array.from([...varint(field * 8), ...varint(v)]);
const fieldBytes = (field: number, payload: Bytes): Bytes =>
  concat([Uint8Array.from([...varint(field * 8 + 2), ...varint(payload.length)]), payload]);
const fieldString = (field: number, s: string): Bytes => fieldBytes(field, new TextEncoder().encode(s));
const fieldFloat = (field: number, v: number): Bytes => {
  const b = new Uint8Array(5);
  b[0] = field * 8 + 5;
  new DataView(b.buffer).setFloat32(1, v, true);
  return b;
};

export type Dim = number | string;

/** ValueInfoProto of a float tensor with the given dims (strings are symbolic dims). */
function valueInfo(name: string, dims: readonly Dim[]): Bytes {
  const shape = concat(
    dims.map((d) => fieldBytes(1, typeof d === 'number' ? fieldVarint(1, d) : fieldString(2, d))),
  );
  // TypeProto.tensor_type (1) { elem_type (1) = FLOAT (1), shape (2) }
  const tensorType = concat([fieldVarint(1, 1), fieldBytes(2, shape)]);
  return concat([fieldString(1, name), fieldBytes(2, fieldBytes(1, tensorType))]);
}

export type Attr = { name: string } & ({ ints: number[] } | { int: number } | { float: number });

function attribute(a: Attr): Bytes {
  // AttributeProto: name 1, f 2, i 3, ints 8, type 20 (FLOAT 1, INT 2, INTS 7).
  if ('ints' in a)
    return concat([fieldString(1, a.name), ...a.ints.map((v) => fieldVarint(8, v)), fieldVarint(20, 7)]);
  if ('int' in a) return concat([fieldString(1, a.name), fieldVarint(3, a.int), fieldVarint(20, 2)]);
  return concat([fieldString(1, a.name), fieldFloat(2, a.float), fieldVarint(20, 1)]);
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Attr[];
}

function node(n: NodeSpec): Bytes {
  return concat([
    ...n.inputs.map((i) => fieldString(1, i)),
    ...n.outputs.map((o) => fieldString(2, o)),
    ...(n.name ? [fieldString(3, n.name)] : []),
    fieldString(4, n.op),
    ...(n.attrs ?? []).map((a) => fieldBytes(5, attribute(a))),
  ]);
}

export interface Initializer {
  name: string;
  dims: number[];
  /** float32 data, or int64 data when `int64` is set (e.g. Reshape's shape). */
  data: ArrayLike<number>;
  int64?: boolean;
}

function tensor(t: Initializer): Bytes {
  // TensorProto: dims 1, data_type 2 (FLOAT 1, INT64 7), name 8, raw_data 9 (little-endian).
  const raw = t.int64
    ? new Uint8Array(BigInt64Array.from(Array.from(t.data, (v) => BigInt(v))).buffer)
    : new Uint8Array(Float32Array.from(t.data).buffer);
  return concat([
    ...t.dims.map((d) => fieldVarint(1, d)),
    fieldVarint(2, t.int64 ? 7 : 1),
    fieldString(8, t.name),
    fieldBytes(9, raw),
  ]);
}

export interface GraphSpec {
  inputs: { name: string; dims: Dim[] }[];
  outputs: { name: string; dims: Dim[] }[];
  nodes: NodeSpec[];
  initializers?: Initializer[];
  opset?: number;
}

/** Serialises a ModelProto (IR version 8, default opset 13). */
export function buildModel(g: GraphSpec): Uint8Array {
  const graph = concat([
    ...g.nodes.map((n) => fieldBytes(1, node(n))),
    fieldString(2, 'test_graph'),
    ...(g.initializers ?? []).map((t) => fieldBytes(5, tensor(t))),
    ...g.inputs.map((i) => fieldBytes(11, valueInfo(i.name, i.dims))),
    ...g.outputs.map((o) => fieldBytes(12, valueInfo(o.name, o.dims))),
  ]);
  const opset = concat([fieldString(1, ''), fieldVarint(2, g.opset ?? 13)]);
  return concat([
    fieldVarint(1, 8),
    fieldString(2, 'tobira-tests'),
    fieldBytes(7, graph),
    fieldBytes(8, opset),
  ]);
}

/**
 * A model whose single output is the constant `values` (shape [1, values.length]) whatever the
 * input; the input is still consumed (multiplied by zero) so onnxruntime keeps it. `firstNodes`
 * names nodes at the head of the graph (InsightFace inspects the first 8 names for Sub/Mul).
 */
export function constantOutputModel(opts: {
  inputName?: string;
  inputDims: Dim[];
  outputName?: string;
  values: ArrayLike<number>;
  nodeNames?: [string, string, string];
}): Uint8Array {
  const n = opts.values.length;
  const inputName = opts.inputName ?? 'data';
  const [n1, n2, n3] = opts.nodeNames ?? ['ReduceMean_0', 'Mul_1', 'Add_2'];
  return buildModel({
    inputs: [{ name: inputName, dims: opts.inputDims }],
    outputs: [{ name: opts.outputName ?? 'fc1', dims: [1, n] }],
    nodes: [
      {
        op: 'ReduceMean',
        name: n1,
        inputs: [inputName],
        outputs: ['m'],
        attrs: [
          { name: 'axes', ints: [1, 2, 3] },
          { name: 'keepdims', int: 0 },
        ],
      },
      { op: 'Mul', name: n2, inputs: ['m', 'zeros'], outputs: ['z'] },
      { op: 'Add', name: n3, inputs: ['z', 'values'], outputs: [opts.outputName ?? 'fc1'] },
    ],
    initializers: [
      { name: 'zeros', dims: [1, n], data: new Float32Array(n) },
      { name: 'values', dims: [1, n], data: opts.values },
    ],
  });
}
