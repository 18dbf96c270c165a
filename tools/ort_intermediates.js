// ort_intermediates.js — runs one ONNX model with ONNX Runtime (onnxruntime-node,
// CPU, one thread, graph optimisations off so every tensor is computed as the
// graph says) and writes every graph output as raw bytes. Used by
// tools/dump_intermediates.py, which first makes every intermediate a graph
// output. Usage: node ort_intermediates.js SPEC.json
//   SPEC: {"model": PATH, "out_dir": DIR,
//          "inputs": [{"name", "dtype" (TensorProto number), "shape", "file"}]}
// Writes DIR/manifest.json: [{"name", "dtype", "shape", "file"}] for each output.
'use strict';
const fs = require('fs');
const path = require('path');

const DTYPES = {
  1: ['float32', Float32Array], 2: ['uint8', Uint8Array], 3: ['int8', Int8Array],
  4: ['uint16', Uint16Array], 5: ['int16', Int16Array], 6: ['int32', Int32Array],
  7: ['int64', BigInt64Array], 9: ['bool', Uint8Array], 11: ['float64', Float64Array],
  12: ['uint32', Uint32Array], 13: ['uint64', BigUint64Array],
};
const BY_NAME = Object.fromEntries(Object.entries(DTYPES).map(([k, v]) => [v[0], Number(k)]));

async function main() {
  let ort;
  try {
    ort = require('onnxruntime-node');
  } catch (e) {
    console.error('cannot load onnxruntime-node (npm install --ignore-scripts onnxruntime-node@1.30.0, ' +
                  'then set NODE_PATH to its node_modules): ' + String(e.message || e).split('\n')[0]);
    process.exit(2);
  }
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const session = await ort.InferenceSession.create(spec.model, {
    executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1,
    graphOptimizationLevel: 'disabled',
  });
  const feeds = {};
  for (const inp of spec.inputs) {
    const dt = DTYPES[inp.dtype];
    if (!dt) throw new Error(`unsupported input dtype ${inp.dtype}`);
    const buf = fs.readFileSync(inp.file);
    const copy = new Uint8Array(buf.length);
    copy.set(buf);
    feeds[inp.name] = new ort.Tensor(dt[0], new dt[1](copy.buffer, 0, buf.length / dt[1].BYTES_PER_ELEMENT),
                                     inp.shape);
  }
  const results = await session.run(feeds);
  const manifest = [];
  let k = 0;
  for (const name of session.outputNames) {
    const t = results[name];
    const dtype = BY_NAME[t.type];
    if (dtype === undefined) continue; // strings and other types nnc does not compute
    const file = path.join(spec.out_dir, `ort_${k++}.bin`);
    const d = t.data;
    fs.writeFileSync(file, Buffer.from(d.buffer, d.byteOffset, d.byteLength));
    manifest.push({ name, dtype, shape: t.dims.map(Number), file });
  }
  fs.writeFileSync(path.join(spec.out_dir, 'manifest.json'), JSON.stringify(manifest));
}

main().catch((e) => { console.error(String(e.stack || e)); process.exit(1); });
