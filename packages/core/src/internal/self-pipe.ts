// The self-pipe of a SelectorEventLoop (asyncio's _make_self_pipe,
// _read_from_self and _write_to_self): a byte written to it wakes the loop
// from its select().
//
// Differences from asyncio: a pipe rather than a socketpair (either works on
// POSIX; the addon makes both), and its write end is public as
// `loop.wakeupFd`, so that another thread can wake the loop by writing to it
// (JavaScript objects do not cross threads, fds do).
import { os } from '@asyncio-ts/selectors';

const ZERO = new Uint8Array(1);

export class SelfPipe {
  readonly readFd: number;
  readonly writeFd: number;
  readonly #buffer = new Uint8Array(4096);
  #closed = false;

  constructor() {
    [this.readFd, this.writeFd] = os.pipe();
  }

  /**
   * Writes one byte, so that a select() waiting on the read end returns. A
   * full pipe already wakes the loop; a closed one means the loop is gone:
   * both are ignored, as asyncio's _write_to_self does.
   */
  wake(): void {
    if (this.#closed) return;
    try {
      os.write(this.writeFd, ZERO);
    } catch {
      // The loop is closing (EBADF) or the pipe is full: nothing to wake.
    }
  }

  /** Reads every byte written so far; returns how many. */
  drain(): number {
    let total = 0;
    for (;;) {
      const count = os.read(this.readFd, this.#buffer);
      if (count === null || count === 0) return total;
      total += count;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    os.close(this.readFd);
    os.close(this.writeFd);
  }
}
