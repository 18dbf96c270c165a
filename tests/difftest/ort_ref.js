// ort_ref.js — reference outputs from ONNX Runtime (onnxruntime-node, CPU,
// one thread, graph optimisations off so the reference is ORT's plain
// kernels) for the cases gen_graphs.py writes. Usage:
//   node ort_ref.js MODULE_DIR CASE_DIR...
// MODULE_DIR holds node_modules/onnxruntime-node. For each CASE_DIR it reads
// case.json and the in_K.bin inputs, runs model.onnx once, and writes
// ref_K.bin (raw little-endian, output order) and ref.json
// ({"outputs":[{"name","dtype","shape"}]} or {"error":MSG}). Prints one line
// per case; exits 2 when onnxruntime-node cannot be loaded.
'use strict';
const fs = require('fs');
const path = require('path');

let ort;
try {
  ort = require(path.resolve(process.argv[2], 'node_modules', 'onnxruntime-node'));
} catch (e) {
  console.log('cannot load onnxruntime-node: ' + String(e.message || e).split('\n')[0]);
  process.exit(2);
}

// ONNX TensorProto.DataType -> [ort type name, typed-array constructor]
const DTYPES = {
  1: ['float32', Float32Array], 2: ['uint8', Uint8Array], 3: ['int8', Int8Array],
  4: ['uint16', Uint16Array], 5: ['int16', Int16Array], 6: ['int32', Int32Array],
  7: ['int64', BigInt64Array], 9: ['bool', Uint8Array], 11: ['float64', Float64Array],
  12: ['uint32', Uint32Array], 13: ['uint64', BigUint64Array],
};
const DTYPE_OF = {};
for (const k of Object.keys(DTYPES)) DTYPE_OF[DTYPES[k][0]] = Number(k);

const OPTIONS = {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'disabled',
  executionMode: 'sequential',
  logSeverityLevel: 3,
};

async function runCase(dir) {
  const c = JSON.parse(fs.readFileSync(path.join(dir, 'case.json'), 'utf8'));
  const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), OPTIONS);
  const feeds = {};
  for (const inp of c.inputs) {
    const dt = DTYPES[inp.dtype];
    if (!dt) throw new Error(`unsupported input dtype ${inp.dtype}`);
    const buf = fs.readFileSync(path.join(dir, inp.file));
    const copy = new Uint8Array(buf.length);
    copy.set(buf);
    feeds[inp.name] = new ort.Tensor(dt[0], new dt[1](copy.buffer, 0, buf.length / dt[1].BYTES_PER_ELEMENT),
                                     inp.shape);
  }
  const out = await session.run(feeds);
  const info = [];
  c.outputs.forEach((o, k) => {
    const t = out[o.name];
    const d = t.data;
    fs.writeFileSync(path.join(dir, `ref_${k}.bin`), Buffer.from(d.buffer, d.byteOffset, d.byteLength));
    info.push({ name: o.name, dtype: DTYPE_OF[t.type], shape: t.dims.map(Number) });
  });
  if (session.release) await session.release();
  return info;
}

async function main() {
  for (const dir of process.argv.slice(3)) {
    let res;
    try {
      res = { outputs: await runCase(dir) };
    } catch (e) {
      res = { error: String(e.message || e).split('\n')[0] };
    }
    fs.writeFileSync(path.join(dir, 'ref.json'), JSON.stringify(res));
    console.log(`${dir} ${res.error ? 'error: ' + res.error : 'ok'}`);
  }
}
main();
