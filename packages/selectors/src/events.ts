/**
 * The generic event bits a selector watches and reports, as in Python's
 * selectors module; each selector maps them to its system call's own bits.
 */

/** The fd is readable: data, end of file, a hang-up or an error to read. */
export const EVENT_READ = 1 << 0;

/** The fd is writable: room to write, or an error to discover by writing. */
export const EVENT_WRITE = 1 << 1;
