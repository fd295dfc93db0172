import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { onnx } from './onnx-proto.ts';
import { readTensorProto, writeTensorProto } from './tensor-proto.ts';
import { int64Tensor } from './build-model.ts';

const enc = (t: object): Uint8Array => onnx.TensorProto.encode(onnx.TensorProto.create(t)).finish();

describe('readTensorProto / writeTensorProto', () => {
  it('round-trips a float tensor through the .pb format', () => {
    const data = Float32Array.from([1.5, -2, 3.25, 0, 1e-8, -7]);
    const back = readTensorProto(writeTensorProto('x', { dims: [2, 3], data }));
    expect(back).toEqual({ name: 'x', dims: [2, 3], data, dataType: 1 });
  });

  it('reads a libonnx-testdata file (conv input 1x1x5x5 holding 0..24)', () => {
    const t = readTensorProto(readFileSync('/usr/share/libonnx-testdata/data/node/test_basic_conv_with_padding/test_data_set_0/input_0.pb'));
    expect(t.dims).toEqual([1, 1, 5, 5]);
    expect(Array.from(t.data)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('reads typed fields and raw_data of every integer and float type', () => {
    expect(Array.from(readTensorProto(enc({ dims: [3], dataType: 1, floatData: [1, 2, 3] })).data)).toEqual([1, 2, 3]);
    expect(Array.from(readTensorProto(enc({ dims: [2], dataType: 11, doubleData: [0.5, -4] })).data)).toEqual([0.5, -4]);
    expect(Array.from(readTensorProto(enc({ dims: [2], dataType: 7, int64Data: [-3, 9] })).data)).toEqual([-3, 9]);
    expect(Array.from(readTensorProto(enc(int64Tensor('s', [3], [1, -1, 400]))).data)).toEqual([1, -1, 400]);
    expect(Array.from(readTensorProto(enc({ dims: [2], dataType: 6, int32Data: [-5, 6] })).data)).toEqual([-5, 6]);
    expect(Array.from(readTensorProto(enc({ dims: [3], dataType: 2, rawData: Uint8Array.of(0, 128, 255) })).data)).toEqual([0, 128, 255]);
    expect(Array.from(readTensorProto(enc({ dims: [3], dataType: 3, rawData: Uint8Array.of(0, 128, 255) })).data)).toEqual([0, -128, -1]);
    expect(Array.from(readTensorProto(enc({ dims: [2], dataType: 10, rawData: Uint8Array.of(0x00, 0x3c, 0x00, 0xc0) })).data)).toEqual([1, -2]);
    const d = new Float64Array([1.25, -3.5]);
    expect(Array.from(readTensorProto(enc({ dims: [2], dataType: 11, rawData: new Uint8Array(d.buffer) })).data)).toEqual([1.25, -3.5]);
  });

  it('copies unaligned float raw_data correctly', () => {
    const f = Float32Array.from([1, 2, 3]);
    const buf = new Uint8Array(13);
    buf.set(new Uint8Array(f.buffer), 1);
    const t = readTensorProto(enc({ dims: [3], dataType: 1, rawData: buf.subarray(1) }));
    expect(Array.from(t.data)).toEqual([1, 2, 3]);
  });

  it('rejects mismatched, oversized and truncated tensors with typed errors', () => {
    expect(() => readTensorProto(enc({ dims: [2, 3], dataType: 1, rawData: new Uint8Array(20) }), 'a.pb'))
      .toThrow(expect.objectContaining({ code: 'E_FORMAT', message: 'a.pb: raw_data has 20 bytes but dims [2, 3] of FLOAT need 24' }));
    expect(() => readTensorProto(enc({ dims: [65536, 65536], dataType: 1 }), 'b.pb'))
      .toThrow(expect.objectContaining({ code: 'E_LIMIT', message: 'b.pb: dims [65536, 65536] declare more than 268435456 elements, the limit for one tensor' }));
    expect(() => readTensorProto(enc({ dims: [4], dataType: 1, floatData: [1, 2] }), 'c.pb'))
      .toThrow(expect.objectContaining({ code: 'E_FORMAT', message: 'c.pb: float_data holds 2 values but dims [4] need 4' }));
    expect(() => readTensorProto(enc({ dims: [2], dataType: 8 }), 'd.pb'))
      .toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
    const good = writeTensorProto('x', { dims: [8], data: new Float32Array(8) });
    expect(() => readTensorProto(good.subarray(0, good.length - 5), 'e.pb')).toThrow(expect.objectContaining({ code: 'E_TRUNCATED' }));
  });
});
