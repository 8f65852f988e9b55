"""The core workloads of bench/, in CPython asyncio (and uvloop when installed).

Prints one JSON object: {"python": version, "loops": {"asyncio": {...}, "uvloop": {...}}}
with ops/s per workload and bytes per pending task. Run by bench/src/core.ts
beside the same workloads in raw Node and asyncio-ts.
"""
import asyncio
import gc
import json
import random
import sys
import time
import tracemalloc

N_CALL_SOON = 1_000_000
N_TIMERS = 200_000
N_TASKS = 100_000
N_MEMORY_TASKS = 100_000


def bench_call_soon_queued(loop):
    done = loop.create_future()
    count = 0

    def callback():
        nonlocal count
        count += 1
        if count == N_CALL_SOON:
            done.set_result(None)

    def schedule_all():
        for _ in range(N_CALL_SOON):
            loop.call_soon(callback)

    start = time.perf_counter()
    loop.call_soon(schedule_all)
    loop.run_until_complete(done)
    return N_CALL_SOON / (time.perf_counter() - start)


def bench_call_soon_chained(loop):
    done = loop.create_future()
    count = 0

    def callback():
        nonlocal count
        count += 1
        if count == N_CALL_SOON:
            done.set_result(None)
        else:
            loop.call_soon(callback)

    start = time.perf_counter()
    loop.call_soon(callback)
    loop.run_until_complete(done)
    return N_CALL_SOON / (time.perf_counter() - start)


def bench_timers(loop):
    rng = random.Random(42)
    delays = [rng.random() * 0.05 for _ in range(N_TIMERS)]
    done = loop.create_future()
    count = 0

    def callback():
        nonlocal count
        count += 1
        if count == N_TIMERS:
            done.set_result(None)

    def schedule_all():
        for delay in delays:
            loop.call_later(delay, callback)

    start = time.perf_counter()
    loop.call_soon(schedule_all)
    loop.run_until_complete(done)
    return N_TIMERS / (time.perf_counter() - start)


def bench_tasks(loop):
    async def worker():
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    async def main():
        await asyncio.gather(*[worker() for _ in range(N_TASKS)])

    start = time.perf_counter()
    loop.run_until_complete(main())
    return N_TASKS / (time.perf_counter() - start)


def bench_memory(loop):
    async def sleeper(event):
        await event.wait()

    async def main():
        event = asyncio.Event()
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        tasks = [asyncio.create_task(sleeper(event)) for _ in range(N_MEMORY_TASKS)]
        await asyncio.sleep(0.01)  # every task now waits
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        event.set()
        await asyncio.gather(*tasks)
        return (after - before) / N_MEMORY_TASKS

    return loop.run_until_complete(main())


def run_all(make_loop):
    results = {}
    for name, bench in [
        ("callSoonQueued", bench_call_soon_queued),
        ("callSoonChained", bench_call_soon_chained),
        ("timers", bench_timers),
        ("tasks", bench_tasks),
        ("memoryPerTask", bench_memory),
    ]:
        loop = make_loop()
        try:
            results[name] = bench(loop)
        finally:
            loop.close()
    return results


def main():
    output = {"python": sys.version.split()[0], "executable": sys.executable, "loops": {}}
    output["loops"]["asyncio"] = run_all(asyncio.new_event_loop)
    try:
        import uvloop
    except ImportError:
        pass
    else:
        output["loops"]["uvloop"] = run_all(uvloop.new_event_loop)
    print(json.dumps(output))


if __name__ == "__main__":
    main()
