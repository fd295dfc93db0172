// Limits on what an imported model may declare. Every size read from a file is checked against
// these before anything is allocated, so a corrupted or hostile file fails with E_LIMIT
// instead of exhausting memory or looping for hours.

/** Elements in one tensor (weights or activations): 2^28 float32 values = 1 GiB. */
export const MAX_TENSOR_ELEMENTS = 2 ** 28;
/** Rank of any tensor. */
export const MAX_RANK = 8;
/** Nodes in one graph. */
export const MAX_NODES = 100_000;
/** Kernel, stride, dilation and pad values of a 2-D window. */
export const MAX_WINDOW = 65_536;
/** Conv groups. */
export const MAX_GROUP = 1 << 20;
