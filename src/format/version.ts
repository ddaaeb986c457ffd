/**
 * Version of the .wpal format this build writes, and the majors it reads (ORT's
 * `ort_format_version.h`). A reader accepts every minor version of a supported major: a newer minor
 * only appends fields, which an older reader does not look at. See schemas/CHANGELOG.md.
 */

/** Major version written by ModelWriter. A major bump means some field changed meaning. */
export const FORMAT_MAJOR = 1;
/** Minor version written by ModelWriter. A minor bump only adds fields, enum values or encodings. */
export const FORMAT_MINOR = 4;
/** First minor version whose files carry checksums (Model.file_checksum, Weight.checksum); see checksum.ts. */
export const CHECKSUM_MINOR = 2;
/** Minor version ModelWriter writes in its "tables" layout (the 1.2 layout, for older readers). */
export const TABLES_MINOR = 2;
/** First minor version with compact files (Model.graph, Model.data); see compact-read.ts. */
export const COMPACT_MINOR = 3;
/** First minor version with compact metadata (Model.meta); see compact-meta.ts. */
export const COMPACT_META_MINOR = 4;
/** Majors readModel understands. */
export const SUPPORTED_MAJORS: readonly number[] = Object.freeze([1]);

export function formatVersionString(major: number = FORMAT_MAJOR, minor: number = FORMAT_MINOR): string {
  return `${major}.${minor}`;
}
