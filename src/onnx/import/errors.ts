/**
 * Typed errors of the ONNX importer. Every failure to import is a WpalError: a corrupt or truncated
 * .onnx, a graph this runtime cannot express, a dynamic dimension without --shape, unsupported ops.
 */
import { WpalError, WpalUnsupportedOpError } from '../../format/errors.js';

/** The ONNX file is corrupt, or describes something the importer cannot lower. The message says what and where. */
export class WpalImportError extends WpalError {
  override readonly code: string = 'WPAL_IMPORT';
}

/** One unsupported op type of an ONNX graph: how many nodes use it, and their names. */
export interface UnsupportedOp {
  opType: string;
  domain: string;
  count: number;
  nodes: string[];
}

/**
 * The graph uses op types the importer cannot lower. Thrown once, before anything is written,
 * listing every unsupported type with its node names and counts.
 */
export class WpalUnsupportedOpsError extends WpalUnsupportedOpError {
  readonly unsupported: readonly UnsupportedOp[];
  constructor(unsupported: readonly UnsupportedOp[], supported: readonly string[], foldedOnly: readonly string[] = []) {
    super(unsupported[0]?.opType ?? '', -1);
    // Same class contract (instanceof WpalUnsupportedOpError), a message that covers the whole graph.
    this.name = 'WpalUnsupportedOpError';
    this.unsupported = unsupported;
    const total = unsupported.reduce((a, u) => a + u.count, 0);
    const lines = unsupported.map((u) => {
      const shown = u.nodes.slice(0, 5).map((n) => JSON.stringify(n)).join(', ');
      const more = u.nodes.length > 5 ? `, ... ${u.nodes.length - 5} more` : '';
      const type = u.domain && u.domain !== 'ai.onnx' ? `${u.domain}:${u.opType}` : u.opType;
      return `  ${type} x${u.count}: ${shown}${more}`;
    });
    this.message =
      `the ONNX graph has ${total} node${total === 1 ? '' : 's'} of ${unsupported.length} op type${unsupported.length === 1 ? '' : 's'} ` +
      `that wasm-palette cannot import:\n${lines.join('\n')}\n` +
      `Supported ONNX ops: ${supported.join(', ')}.` +
      (foldedOnly.length ? ` On constants only (folded at import): ${foldedOnly.filter((o) => !supported.includes(o)).join(', ')}.` : '') +
      ' Nothing was written.';
  }
}
