// asyncio-ts: everything in one import, so that `import * as asyncio from
// 'asyncio-ts'` reads like Python's `import asyncio`.
//
// Core (the loop, tasks, futures, run, gather, ...) and sync (locks and
// queues) share the top level, as in Python's asyncio namespace; their names
// do not clash (the umbrella's test checks that every name of each is
// reachable). Executors and selectors have names of their own that clash with
// core's (Future, wait, asCompleted, CancelledError, RuntimeError, ...), so
// they are namespaces, as in Python: `asyncio.futures` is concurrent.futures
// and `asyncio.selectors` is the selectors module.
export * from '@asyncio-ts/core';
export * from '@asyncio-ts/sync';
export * as futures from '@asyncio-ts/executors';
export * as selectors from '@asyncio-ts/selectors';
