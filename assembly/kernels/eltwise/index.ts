// Element-wise kernels (ABI in assembly/kernels/README.md); ref kernels first.
export { f32_vrelu__ref } from './f32-vrelu-ref';
export { f32_vrelu6__ref } from './f32-vrelu6-ref';
export { f32_vsigmoid__ref } from './f32-vsigmoid-ref';
export { f32_vtanh__ref } from './f32-vtanh-ref';
export { f32_vgelu__ref } from './f32-vgelu-ref';
export { f32_vsilu__ref } from './f32-vsilu-ref';
export { f32_vadd__ref } from './f32-vadd-ref';
export { f32_vmul__ref } from './f32-vmul-ref';
export { f32_vrelu__simd } from './f32-vrelu-simd';
export { f32_vrelu6__simd } from './f32-vrelu6-simd';
export { f32_vsigmoid__simd } from './f32-vsigmoid-simd';
export { f32_vtanh__simd } from './f32-vtanh-simd';
export { f32_vgelu__simd } from './f32-vgelu-simd';
export { f32_vsilu__simd } from './f32-vsilu-simd';
export { f32_vadd__simd } from './f32-vadd-simd';
export { f32_vmul__simd } from './f32-vmul-simd';
