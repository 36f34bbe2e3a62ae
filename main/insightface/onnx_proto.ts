// Just enough of the protobuf wire format to read an ONNX graph's first node names, which
// InsightFace inspects (via `onnx.load`) to choose a model's input mean and std.

class Reader {
  pos: number;
  constructor(
    private readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  varint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.end) throw new RangeError('truncated protobuf varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
      if (mul > 2 ** 63) throw new RangeError('protobuf varint too long');
    }
  }

  /** Reads one field header and returns [fieldNumber, wireType]. */
  tag(): [number, number] {
    const t = this.varint();
    return [Math.floor(t / 8), t & 7];
  }

  /** Returns [start, end) of a length-delimited field's payload and moves past it. */
  bytes(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (start + len > this.end) throw new RangeError('truncated protobuf field');
    this.pos += len;
    return [start, start + len];
  }

  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        return;
      case 2:
        this.bytes();
        return;
      case 5:
        this.pos += 4;
        return;
      default:
        throw new RangeError(`unsupported protobuf wire type ${wire}`);
    }
  }
}

// Field numbers from onnx.proto: ModelProto.graph = 7, GraphProto.node = 1,
// NodeProto.name = 3, NodeProto.op_type = 4.
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const NODE_NAME = 3;
const NODE_OP_TYPE = 4;

export interface OnnxNodeHead {
  name: string;
  opType: string;
}

/** The first `limit` nodes of the model's graph (name and op type), in file order. */
export function readGraphNodes(model: Uint8Array, limit: number): OnnxNodeHead[] {
  const text = new TextDecoder();
  const top = new Reader(model, 0, model.length);
  while (top.pos < top.end) {
    const [field, wire] = top.tag();
    if (field !== MODEL_GRAPH || wire !== 2) {
      top.skip(wire);
      continue;
    }
    const [gs, ge] = top.bytes();
    const graph = new Reader(model, gs, ge);
    const nodes: OnnxNodeHead[] = [];
    while (graph.pos < graph.end && nodes.length < limit) {
      const [gf, gw] = graph.tag();
      if (gf !== GRAPH_NODE || gw !== 2) {
        graph.skip(gw);
        continue;
      }
      const [ns, ne] = graph.bytes();
      const node = new Reader(model, ns, ne);
      const head: OnnxNodeHead = { name: '', opType: '' };
      while (node.pos < node.end) {
        const [nf, nw] = node.tag();
        if ((nf === NODE_NAME || nf === NODE_OP_TYPE) && nw === 2) {
          const [s, e] = node.bytes();
          const value = text.decode(model.subarray(s, e));
          if (nf === NODE_NAME) head.name = value;
          else head.opType = value;
        } else {
          node.skip(nw);
        }
      }
      nodes.push(head);
    }
    return nodes;
  }
  return [];
}

/**
 * InsightFace's test for models that normalise inside the graph (MXNet exports): a `Sub`/`_minus`
 * node and a `Mul`/`_mul` node among the first 8, or a `bn_data` node among the first 3 (the
 * latter only for landmark and attribute models). Such models take raw 0..255 input.
 */
export function normalisesInGraph(model: Uint8Array, acceptBnData: boolean): boolean {
  let sub = false;
  let mul = false;
  readGraphNodes(model, 8).forEach((node, i) => {
    if (node.name.startsWith('Sub') || node.name.startsWith('_minus')) sub = true;
    if (node.name.startsWith('Mul') || node.name.startsWith('_mul')) mul = true;
    if (acceptBnData && i < 3 && node.name === 'bn_data') {
      sub = true;
      mul = true;
    }
  });
  return sub && mul;
}
