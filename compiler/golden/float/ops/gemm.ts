// Gemm (Y = alpha * A' * B' + beta * C, C broadcast to [M, N]) and 2-D MatMul, float64 accumulation.

export function gemm(a: Float32Array, as: number[], b: Float32Array, bs: number[], c: Float32Array | undefined, cs: number[] | undefined,
  alpha: number, beta: number, transA: boolean, transB: boolean): { data: Float32Array; dims: number[] } {
  const [m, k] = transA ? [as[1], as[0]] : [as[0], as[1]];
  const nn = transB ? bs[0] : bs[1];
  const out = new Float32Array(m * nn);
  const row = new Float64Array(nn);
  const arow = new Float64Array(k);
  for (let i = 0; i < m; i++) {
    for (let kk = 0; kk < k; kk++) arow[kk] = transA ? a[kk * m + i] : a[i * k + kk];
    if (transB) {
      for (let j = 0; j < nn; j++) {
        let s = 0;
        const bo = j * k;
        for (let kk = 0; kk < k; kk++) s += arow[kk] * b[bo + kk];
        row[j] = s;
      }
    } else {
      row.fill(0);
      for (let kk = 0; kk < k; kk++) {
        const av = arow[kk];
        if (av === 0) continue;
        const bo = kk * nn;
        for (let j = 0; j < nn; j++) row[j] += av * b[bo + j];
      }
    }
    for (let j = 0; j < nn; j++) {
      let v = alpha * row[j];
      if (c && cs) {
        const ci = cs.length === 0 ? 0 : cs.length === 1 ? (cs[0] === 1 ? 0 : j) : (cs[0] === 1 ? 0 : i) * cs[1] + (cs[1] === 1 ? 0 : j);
        v += beta * c[ci];
      }
      out[i * nn + j] = v;
    }
  }
  return { data: out, dims: [m, nn] };
}
