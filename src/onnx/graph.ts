/**
 * An ONNX graph held in memory before it is written: nodes in topological order and initializers
 * with their typed values. exportOnnx builds one, graph passes (quantize.ts) rewrite it, and
 * `graphToModel` serializes it (proto.ts) into ModelProto bytes.
 */
import { Message, OnnxDType, node, tensor, valueInfo, type OnnxAttr } from './proto.js';

export interface GraphNode {
  type: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs: Record<string, OnnxAttr>;
  /** Operator set domain; '' (default) is ai.onnx. */
  domain?: string;
}

export type InitData = Float32Array | Int8Array | Uint8Array | BigInt64Array;

export interface GraphInit {
  name: string;
  dims: number[];
  data: InitData;
}

export interface GraphValue {
  name: string;
  dtype: number;
  dims: Array<number | string>;
}

export interface OnnxGraph {
  name: string;
  nodes: GraphNode[];
  inits: GraphInit[];
  inputs: GraphValue[];
  outputs: GraphValue[];
}

export function dtypeOf(data: InitData): number {
  if (data instanceof Float32Array) return OnnxDType.FLOAT;
  if (data instanceof Int8Array) return OnnxDType.INT8;
  if (data instanceof Uint8Array) return OnnxDType.UINT8;
  return OnnxDType.INT64;
}

export interface ModelHeader {
  irVersion: number;
  opset: number;
  producer: string;
  producerVersion: string;
}

/** ModelProto bytes of a graph; domains other than ai.onnx used by its nodes are imported at version 1. */
export function graphToModel(g: OnnxGraph, h: ModelHeader): Uint8Array {
  const gm = new Message();
  for (const n of g.nodes) gm.message(1, node(n.type, n.inputs, n.outputs, n.name, n.attrs, n.domain));
  gm.string(2, g.name);
  for (const t of g.inits) gm.message(5, tensor(t.name, t.dims, dtypeOf(t.data), new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)));
  for (const v of g.inputs) gm.message(11, valueInfo(v.name, v.dtype, v.dims));
  for (const v of g.outputs) gm.message(12, valueInfo(v.name, v.dtype, v.dims));
  const model = new Message().varint(1, h.irVersion).string(2, h.producer).string(3, h.producerVersion).message(7, gm);
  model.message(8, new Message().string(1, '').varint(2, h.opset));
  const domains = new Set(g.nodes.map((n) => n.domain ?? '').filter((d) => d !== ''));
  for (const d of domains) model.message(8, new Message().string(1, d).varint(2, 1));
  return model.toBytes();
}
