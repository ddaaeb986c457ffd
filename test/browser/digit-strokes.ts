/**
 * Pen strokes for the digits 0-9 as a person draws them on the demo's 280x280 canvas: one list of
 * strokes per digit (pen down, move through the points, pen up), in canvas pixels. Curves are
 * sampled arcs; angles in degrees on screen (0 = right, 90 = down), so increasing angles go
 * clockwise.
 */
export type Point = readonly [number, number];
export type Stroke = readonly Point[];

/** Points of an elliptic arc from angle a0 to a1 (degrees, screen coordinates). */
function arc(cx: number, cy: number, rx: number, ry: number, a0: number, a1: number): Point[] {
  const n = Math.max(2, Math.ceil(Math.abs(a1 - a0) / 15));
  return Array.from({ length: n + 1 }, (_, i) => {
    const a = ((a0 + ((a1 - a0) * i) / n) * Math.PI) / 180;
    return [Math.round(cx + rx * Math.cos(a)), Math.round(cy + ry * Math.sin(a))] as const;
  });
}

export const DIGIT_STROKES: readonly (readonly Stroke[])[] = [
  // 0: one oval, started at the top, drawn anticlockwise, closing a little past the start.
  [arc(140, 140, 58, 88, -90, -90 - 375)],
  // 1: one slightly slanted downstroke.
  [[[152, 52], [146, 110], [139, 170], [133, 228]]],
  // 2: a hook over the top, down the diagonal, then the base.
  [[...arc(140, 102, 52, 48, 195, 385), [118, 170], [86, 226], [205, 224]]],
  // 3: two bumps to the right.
  [[...arc(136, 96, 50, 42, 205, 450), ...arc(136, 183, 56, 46, -90, 155)]],
  // 4: down-left diagonal and the bar, then the long downstroke.
  [[[150, 52], [110, 120], [78, 172], [206, 170]], [[172, 100], [170, 165], [166, 232]]],
  // 5: the short vertical and the belly, then the flag on top.
  [[[104, 60], [98, 132], ...arc(138, 178, 58, 52, -130, 150)], [[104, 58], [200, 56]]],
  // 6: from the top right down the left side, round the loop and back to the left.
  [[[188, 52], [152, 72], [120, 106], [101, 148], [97, 180], ...arc(142, 184, 46, 44, 180, -170)]],
  // 7: the bar, then the diagonal.
  [[[72, 62], [208, 62], [178, 122], [150, 180], [128, 232]]],
  // 8: an S down from the top right, then back up to close both loops.
  [[...arc(140, 98, 44, 42, -20, -270), ...arc(140, 184, 52, 46, -90, 270), ...arc(140, 98, 44, 42, 90, 20)]],
  // 9: the loop (anticlockwise from its right side), then the stem.
  [[...arc(138, 100, 46, 44, 0, -360), [182, 150], [176, 232]]],
];
