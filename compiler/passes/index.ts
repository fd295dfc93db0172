// The pass pipeline. optimize() runs the passes in a fixed order and validates the result;
// each pass is a pure Graph -> Graph function in its own file.

import type { Graph } from '../ir/graph.ts';
import { canonicalGemm } from './canonical-gemm.ts';
import { checkGraph } from './check-graph.ts';
import { flattenToLayout } from './flatten-to-layout.ts';
import { foldBatchNorm } from './fold-batchnorm.ts';
import { foldConstants } from './fold-constants.ts';
import { foldPadIntoConv } from './fold-pad-into-conv.ts';
import { foldPadIntoPool } from './fold-pad-into-pool.ts';
import { fuseConvActPool } from './fuse-conv-act-pool.ts';
import { fuseScaledAdd } from './fuse-scaled-add.ts';
import { matmulAddToGemm } from './matmul-add-to-gemm.ts';
import { pruneUnused } from './prune-unused.ts';
import { removeIdentityDropout } from './remove-identity-dropout.ts';

export { checkGraph, checkIsAcyclic, inferShapes } from './check-graph.ts';
export { freezeInputs } from './freeze-inputs.ts';
export {
  canonicalGemm, flattenToLayout, foldBatchNorm, foldConstants, foldPadIntoConv, foldPadIntoPool, fuseConvActPool, fuseScaledAdd, matmulAddToGemm, pruneUnused, removeIdentityDropout,
};

export const PASSES: readonly { name: string; run: (g: Graph) => Graph }[] = [
  { name: 'remove-identity-dropout', run: removeIdentityDropout },
  { name: 'fold-constants', run: foldConstants },
  { name: 'matmul-add-to-gemm', run: matmulAddToGemm },
  { name: 'canonical-gemm', run: canonicalGemm },
  { name: 'fold-batchnorm', run: foldBatchNorm },
  { name: 'fold-pad-into-conv', run: foldPadIntoConv },
  { name: 'fold-pad-into-pool', run: foldPadIntoPool },
  { name: 'flatten-to-layout', run: flattenToLayout },
  { name: 'fuse-scaled-add', run: fuseScaledAdd },
  { name: 'fuse-conv-act-pool', run: fuseConvActPool },
  { name: 'prune-unused', run: pruneUnused },
];

export function optimize(graph: Graph): Graph {
  let g = checkGraph(graph);
  for (const p of PASSES) g = checkGraph(p.run(g));
  return g;
}
