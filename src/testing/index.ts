/**
 * `alloctrace/test`: memory assertions for test suites (node:test, vitest, jest). See
 * docs/testing.md.
 */
export { limitLeaks, limitMemory, type LeakReport, type LimitLeaksOptions, type LimitMemoryOptions, type MemoryReport } from './limits';
export { parseSize, type Size } from './size';
export { memorySummary, measurements, type MeasuredCall } from './summary';
