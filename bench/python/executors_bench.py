"""The executors workloads of bench/ in CPython: loop.run_in_executor() with
a concurrent.futures.ThreadPoolExecutor, on asyncio (and uvloop when installed).

(a) 20,000 trivial calls through the pool (default max_workers): throughput
    with all of them submitted at once and gathered, and the median (and 10th
    percentile) latency of sequential round trips, one call at a time.
(b) 200 CPU-bound calls of about 5 ms each on max_workers=2. The work is a
    pure-Python busy loop whose iteration count is calibrated here to about
    5 ms on one thread: it holds the GIL, so two threads run it one at a
    time. The ideal is N_CPU x the measured call / 2.

Prints one JSON object on its last line:
{"python", "executable", "cpu": {"iterations", "callMs", "idealS"},
 "loops": {"asyncio": {"throughput", "latencyUs", "latencyP10Us", "cpuS"}, "uvloop": {...}}}
with ops/s, microseconds and seconds, each the best of ROUNDS rounds.
Run by bench/src/executors.ts beside piscina and asyncio-ts.
"""
import asyncio
import concurrent.futures
import gc
import json
import statistics
import sys
import time

N_TRIVIAL = 20_000
N_CPU = 200
CPU_WORKERS = 2
CPU_CALL_MS = 5.0
ROUNDS = 3


def noop(value):
    return value


def spin(iterations):
    x = 0
    for i in range(iterations):
        x = (x * 31 + i) & 0xFFFFFFFF
    return x


def time_call(iterations, repeats=15):
    """The fastest of `repeats` runs of spin(iterations) on this thread, in
    ms: the fastest, so that a run slowed by other work on the box (or by
    the hypervisor, which even CPU time does not exclude in a VM) does not count."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        spin(iterations)
        best = min(best, (time.perf_counter() - start) * 1000)
    return best


def calibrate():
    """An iteration count for ~CPU_CALL_MS ms of spin(), and its measured time."""
    iterations = 50_000
    for _ in range(5):
        call_ms = time_call(iterations)
        if abs(call_ms - CPU_CALL_MS) < CPU_CALL_MS * 0.02:
            break
        iterations = max(1, round(iterations * CPU_CALL_MS / call_ms))
    return iterations, time_call(iterations)


async def throughput(loop, pool):
    start = time.perf_counter()
    await asyncio.gather(*[loop.run_in_executor(pool, noop, i) for i in range(N_TRIVIAL)])
    return N_TRIVIAL / (time.perf_counter() - start)


async def latencies_us(loop, pool):
    """The median and the 10th percentile of sequential round trips."""
    times = []
    clock = time.perf_counter
    for i in range(N_TRIVIAL):
        start = clock()
        await loop.run_in_executor(pool, noop, i)
        times.append(clock() - start)
    times.sort()
    return statistics.median(times) * 1e6, times[N_TRIVIAL // 10] * 1e6


async def cpu_total(loop, pool, iterations):
    start = time.perf_counter()
    await asyncio.gather(*[loop.run_in_executor(pool, spin, iterations) for _ in range(N_CPU)])
    return time.perf_counter() - start


async def rounds(measure):
    """One warm-up round (threads start lazily), then ROUNDS results."""
    await measure()
    results = []
    for _ in range(ROUNDS):
        gc.collect()
        results.append(await measure())
    return results


async def run_all(iterations):
    loop = asyncio.get_running_loop()
    results = {}
    with concurrent.futures.ThreadPoolExecutor() as pool:
        results["throughput"] = max(await rounds(lambda: throughput(loop, pool)))
        latencies = await rounds(lambda: latencies_us(loop, pool))
        results["latencyUs"] = min(median for median, _ in latencies)
        results["latencyP10Us"] = min(p10 for _, p10 in latencies)
    with concurrent.futures.ThreadPoolExecutor(max_workers=CPU_WORKERS) as pool:
        results["cpuS"] = min(await rounds(lambda: cpu_total(loop, pool, iterations)))
    return results


def run_on(make_loop, iterations):
    loop = make_loop()
    try:
        return loop.run_until_complete(run_all(iterations))
    finally:
        loop.close()


def main():
    iterations, call_ms = calibrate()
    output = {
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "cpu": {"iterations": iterations, "callMs": call_ms, "idealS": N_CPU * call_ms / 1000 / CPU_WORKERS},
        "loops": {},
    }
    output["loops"]["asyncio"] = run_on(asyncio.new_event_loop, iterations)
    try:
        import uvloop
    except ImportError:
        pass
    else:
        output["loops"]["uvloop"] = run_on(uvloop.new_event_loop, iterations)
    print(json.dumps(output))


if __name__ == "__main__":
    main()
