/**
 * The element-type field of a compact weight record's `enc` byte (schemas/wpal.fbs, "Compact
 * files"): bits 1-2 hold the DType of the dense values or of the palette entries, whichever values
 * part the record has.
 */
import { DTYPE_NAME, DTYPE_OF, elementOf, type ElementName, type ElementRow } from '../elements.js';

export const ENC_ELEMENT_SHIFT = 1;
/** The enc bits of the element type. */
export const ENC_ELEMENT = 3 << ENC_ELEMENT_SHIFT;

/** The element type's bits of enc. */
export const encElement = (name: ElementName): number => DTYPE_OF[name] << ENC_ELEMENT_SHIFT;

/** The element type enc names (a DType name, or undefined for an unknown value) and its row, if it is an element type. */
export function elementOfEnc(enc: number): { dtype: string | undefined; element: ElementRow | undefined } {
  const dtype = DTYPE_NAME[(enc & ENC_ELEMENT) >> ENC_ELEMENT_SHIFT];
  return { dtype, element: elementOf(dtype ?? '') };
}
