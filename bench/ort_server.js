// ort_server.js — ONNX Runtime (onnxruntime-node, CPU; one thread unless asked) timing server
// for bench/bench.py.  Reads one JSON command per line on stdin and answers
// one JSON line on stdout:
//   {"cmd":"load","id":K,"model":PATH,"inputs":[{"name","dtype","shape","file"}],
//    "threads":T (optional, intraOpNumThreads; default 1)}
//       -> {"ok":true} | {"error":MSG}
//   {"cmd":"run","id":K,"n":N}   -> {"ok":true,"ms":[t1..tN]} | {"error":MSG}
//   {"cmd":"free","id":K}        -> {"ok":true}
// The first line it prints is {"ready":true,"version":V} or {"error":MSG}
// (for example when the native binding cannot be loaded).
'use strict';
const fs = require('fs');
const readline = require('readline');

function reply(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

let ort;
try {
  ort = require('onnxruntime-node');
} catch (e) {
  reply({ error: 'cannot load onnxruntime-node: ' + String(e.message || e).split('\n')[0] });
  process.exit(0);
}

// ONNX TensorProto.DataType -> [ort type name, typed-array constructor]
const DTYPES = {
  1: ['float32', Float32Array], 2: ['uint8', Uint8Array], 3: ['int8', Int8Array],
  4: ['uint16', Uint16Array], 5: ['int16', Int16Array], 6: ['int32', Int32Array],
  7: ['int64', BigInt64Array], 9: ['bool', Uint8Array], 11: ['float64', Float64Array],
  12: ['uint32', Uint32Array], 13: ['uint64', BigUint64Array],
};

const sessions = new Map(); // id -> {session, feeds}

const SESSION_OPTIONS = {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
};

async function load(cmd) {
  const threads = Number.isInteger(cmd.threads) && cmd.threads > 0 ? cmd.threads : 1;
  const session = await ort.InferenceSession.create(cmd.model, { ...SESSION_OPTIONS, intraOpNumThreads: threads });
  const feeds = {};
  for (const inp of cmd.inputs) {
    const dt = DTYPES[inp.dtype];
    if (!dt) throw new Error(`unsupported input dtype ${inp.dtype}`);
    const buf = fs.readFileSync(inp.file);
    const copy = new Uint8Array(buf.length);
    copy.set(buf);
    const data = new dt[1](copy.buffer, 0, buf.length / dt[1].BYTES_PER_ELEMENT);
    feeds[inp.name] = new ort.Tensor(dt[0], data, inp.shape);
  }
  sessions.set(cmd.id, { session, feeds });
}

async function run(cmd) {
  const s = sessions.get(cmd.id);
  if (!s) throw new Error(`no session ${cmd.id}`);
  const ms = [];
  for (let i = 0; i < cmd.n; i++) {
    const t0 = process.hrtime.bigint();
    const out = await s.session.run(s.feeds);
    const t = Number(process.hrtime.bigint() - t0) / 1e6;
    for (const k of Object.keys(out)) if (out[k].dispose) out[k].dispose();
    ms.push(t);
  }
  return ms;
}

async function handle(line) {
  const cmd = JSON.parse(line);
  try {
    if (cmd.cmd === 'load') {
      await load(cmd);
      reply({ ok: true });
    } else if (cmd.cmd === 'run') {
      reply({ ok: true, ms: await run(cmd) });
    } else if (cmd.cmd === 'free') {
      const s = sessions.get(cmd.id);
      if (s && s.session.release) await s.session.release();
      sessions.delete(cmd.id);
      reply({ ok: true });
    } else {
      reply({ error: `unknown command ${cmd.cmd}` });
    }
  } catch (e) {
    reply({ error: String(e.message || e).split('\n')[0] });
  }
}

const version = (ort.env && ort.env.versions && ort.env.versions.common) ||
  require('onnxruntime-node/package.json').version;
reply({ ready: true, version });

// Handle commands strictly one after another.
let chain = Promise.resolve();
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (line.trim()) chain = chain.then(() => handle(line));
});
rl.on('close', () => chain.then(() => process.exit(0)));
