/**
 * What V8 alone costs: loaded with `--require`, starts V8's sampling heap profiler through an
 * in-process inspector session (as alloctrace does, nothing else) and reads the profile at exit.
 * `BENCH_BARE_MODE=allocated` keeps the samples of collected objects. The floor of alloctrace's
 * memory per sample in `--mode allocated`: the rest is ours.
 */
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
const allocated = process.env['BENCH_BARE_MODE'] === 'allocated';
const interval = Number(process.env['BENCH_BARE_INTERVAL'] ?? 32768);
session.post('HeapProfiler.startSampling', {
  samplingInterval: interval,
  ...(allocated ? { includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } : {}),
});
process.on('exit', () => {
  session.post('HeapProfiler.getSamplingProfile', () => undefined);
});
