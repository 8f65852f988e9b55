"""The sync workloads of bench/ (issue 3), in CPython asyncio.

Prints one JSON object: {"python": version, "executable": path, "rounds": n,
"results": {"semaphore": ops/s, "queues": ops/s, "lock": ops/s}}, each the best
of `rounds` runs (default 3; the first argument overrides it). Further
arguments name the workloads to run (all three by default). Run by
bench/src/sync.ts beside the same workloads in asyncio-ts, async-mutex and p-limit.
"""
import asyncio
import gc
import json
import sys
import time

N_SEMAPHORE_TASKS = 100_000
N_ROUND_TRIPS = 200_000
N_LOCK = 1_000_000


async def semaphore_contended():
    """(a) N tasks contend for Semaphore(10), each holding it across one sleep(0)."""
    sem = asyncio.Semaphore(10)

    async def worker():
        async with sem:
            await asyncio.sleep(0)

    await asyncio.gather(*[worker() for _ in range(N_SEMAPHORE_TASKS)])


async def queue_ping_pong():
    """(b) N round trips between two tasks through a pair of Queues."""
    pings = asyncio.Queue()
    pongs = asyncio.Queue()

    async def ping():
        for i in range(N_ROUND_TRIPS):
            await pings.put(i)
            await pongs.get()

    async def pong():
        for _ in range(N_ROUND_TRIPS):
            item = await pings.get()
            await pongs.put(item)

    await asyncio.gather(ping(), pong())


async def lock_uncontended():
    """(c) Lock acquire/release, nobody else waiting."""
    lock = asyncio.Lock()
    for _ in range(N_LOCK):
        await lock.acquire()
        lock.release()


def best_of(rounds, operations, make_coroutine):
    best = 0.0
    for _ in range(rounds):
        loop = asyncio.new_event_loop()
        try:
            gc.collect()
            start = time.perf_counter()
            loop.run_until_complete(make_coroutine())
            best = max(best, operations / (time.perf_counter() - start))
        finally:
            loop.close()
    return best


WORKLOADS = {
    "semaphore": (N_SEMAPHORE_TASKS, semaphore_contended),
    "queues": (N_ROUND_TRIPS, queue_ping_pong),
    "lock": (N_LOCK, lock_uncontended),
}


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    names = sys.argv[2:] or list(WORKLOADS)
    results = {name: best_of(rounds, *WORKLOADS[name]) for name in names}
    print(json.dumps({"python": sys.version.split()[0], "executable": sys.executable, "rounds": rounds, "results": results}))


if __name__ == "__main__":
    main()
