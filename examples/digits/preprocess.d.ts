// Types of preprocess.js (plain JavaScript, so the page loads it without a build step).
export declare const INK_THRESHOLD: number;
export declare const BOX: number;
export declare const SIDE: number;
export declare const CENTRE: number;
/** The red channel of RGBA bytes (canvas getImageData), as one byte per pixel. */
export declare function grayOfRgba(rgba: ArrayLike<number>): Uint8Array;
/** The MNIST-style 28x28 input of a grayscale drawing (white ink on black, 0..255), or null if it has no ink. */
export declare function mnistInput(gray: ArrayLike<number>, width: number, height: number): Float32Array | null;
