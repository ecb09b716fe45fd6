// A synchronous sleep: the runtime's verbs are short blocking sequences with small waits (no event loop needed).
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}
