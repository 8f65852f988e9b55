"""The threads workload of bench/ in CPython: an event loop running forever
in a thread of its own, and 20,000 sequential round trips from synchronous
code, each asyncio.run_coroutine_threadsafe(echo(i), loop).result(), which
blocks until the loop thread has run the coroutine.

Prints one JSON object on its last line:
{"python", "executable", "roundTrips": ops/s, "latency": ms}: the best of
ROUNDS rounds after a warm-up round, and the median of LATENCY_SAMPLES
round trips timed one by one. Run by bench/src/threads.ts beside synckit and asyncio-ts.
"""
import asyncio
import gc
import json
import platform
import sys
import threading
import time

N = 20_000
ROUNDS = 5
LATENCY_SAMPLES = 2_000


async def echo(value):
    return value


def main():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    best = 0.0
    for round_ in range(ROUNDS + 1):
        gc.collect()
        start = time.perf_counter()
        for i in range(N):
            asyncio.run_coroutine_threadsafe(echo(i), loop).result()
        elapsed = time.perf_counter() - start
        if round_ > 0:
            best = max(best, N / elapsed)
    times = []
    for i in range(LATENCY_SAMPLES):
        start = time.perf_counter()
        asyncio.run_coroutine_threadsafe(echo(i), loop).result()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
    loop.close()
    print(json.dumps({"python": platform.python_version(), "executable": sys.executable, "roundTrips": best, "latency": times[LATENCY_SAMPLES // 2]}))


if __name__ == "__main__":
    main()
