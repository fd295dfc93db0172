// The engine segments of a partitioned bundle as bundles of their own (docs/bundle-format.md
// "Segments"). Segment k's records start at its HEADER (descriptor index `header`) and every address
// in them is relative to that HEADER's byte offset, so the bundle seen from there (DDR image from
// byte 64·header on, inputs and outputs the segment's own) is an ordinary one-program bundle that
// every executor runs unchanged.
import { createHash } from 'node:crypto';
import { DESC_BYTES, type Bundle, type Segment, type TensorIo } from '../contracts/bundle-format.ts';
import { CnnaError } from '../errors/cnna-error.ts';

export type EngineSegment = Extract<Segment, { kind: 'engine' }>;

/** The bundle an executor runs for engine segment `seg` of `bundle`. */
export function segmentView(bundle: Bundle, seg: EngineSegment): Bundle {
  const m = bundle.manifest;
  const base = seg.header * DESC_BYTES;
  const end = base + (seg.count + 1) * DESC_BYTES;
  if (end > bundle.descriptors.length) throw new CnnaError('E_BUNDLE', `bundle '${m.model}': an engine segment's records (${seg.header} .. ${seg.header + seg.count}) lie beyond descriptors.bin (${bundle.descriptors.length / DESC_BYTES} records)`);
  const descriptors = bundle.descriptors.subarray(base, end);
  const shift = (t: TensorIo): TensorIo => ({ ...t, layout: { ...t.layout, offset: t.layout.offset - base } });
  const { segments: _, ...rest } = m;
  return {
    manifest: {
      ...rest,
      model: `${m.model}@${seg.header}`,
      memoryMap: {
        ddrBytes: m.memoryMap.ddrBytes - base,
        regions: m.memoryMap.regions.map((r) => (r.name === 'descriptors' ? { ...r, offset: 0, size: descriptors.length } : { ...r, offset: r.offset - base })),
      },
      descriptors: { ...m.descriptors, offset: 0, count: seg.count },
      params: { ...m.params, offset: m.params.offset - base },
      inputs: seg.inputs.map(shift),
      outputs: seg.outputs.map(shift),
      layers: m.layers.slice(seg.layers[0], seg.layers[1] + 1).map((l) => ({ ...l, jobs: [l.jobs[0] - seg.header, l.jobs[1] - seg.header] as [number, number] })),
      files: { ...m.files, [m.descriptors.file]: createHash('sha256').update(descriptors).digest('hex') },
    },
    descriptors,
    weights: bundle.weights,
  };
}

/** The engine segments of a bundle (the whole bundle as one when it is not partitioned), each with its view. */
export function engineViews(bundle: Bundle): { seg: EngineSegment | null; view: Bundle }[] {
  const segs = bundle.manifest.segments;
  if (!segs) return [{ seg: null, view: bundle }];
  return segs.filter((s): s is EngineSegment => s.kind === 'engine').map((seg) => ({ seg, view: segmentView(bundle, seg) }));
}
