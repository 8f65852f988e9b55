/**
 * The socket module's constants (AF_INET, SOCK_STREAM, SOL_SOCKET, …) with
 * this system's values.
 *
 * They are known at import time, without loading the addon (importing this
 * package never fails), from a table per system; a test checks the table
 * against the values the addon was compiled with. Differences from Python:
 * plain numbers, not IntEnum members; `SO_REUSEPORT`, `SOCK_NONBLOCK` and
 * `SOCK_CLOEXEC` are `undefined` where the system has none, where Python
 * leaves the name out.
 */

interface Table {
  AF_INET6: number;
  SOCK_NONBLOCK?: number;
  SOCK_CLOEXEC?: number;
  SOL_SOCKET: number;
  SO_REUSEADDR: number;
  SO_REUSEPORT?: number;
  SO_ERROR: number;
  SO_TYPE: number;
  SO_KEEPALIVE: number;
  SO_BROADCAST: number;
  SO_SNDBUF: number;
  SO_RCVBUF: number;
  IPV6_V6ONLY: number;
  SOMAXCONN: number;
}

const linux: Table = {
  AF_INET6: 10,
  SOCK_NONBLOCK: 0o4000,
  SOCK_CLOEXEC: 0o2000000,
  SOL_SOCKET: 1,
  SO_REUSEADDR: 2,
  SO_REUSEPORT: 15,
  SO_ERROR: 4,
  SO_TYPE: 3,
  SO_KEEPALIVE: 9,
  SO_BROADCAST: 6,
  SO_SNDBUF: 7,
  SO_RCVBUF: 8,
  IPV6_V6ONLY: 26,
  SOMAXCONN: 4096,
};

// macOS and the BSDs share the 4.4BSD values; AF_INET6 and the flags differ.
const bsd: Table = {
  AF_INET6: 30,
  SOL_SOCKET: 0xffff,
  SO_REUSEADDR: 0x4,
  SO_REUSEPORT: 0x200,
  SO_ERROR: 0x1007,
  SO_TYPE: 0x1008,
  SO_KEEPALIVE: 0x8,
  SO_BROADCAST: 0x20,
  SO_SNDBUF: 0x1001,
  SO_RCVBUF: 0x1002,
  IPV6_V6ONLY: 27,
  SOMAXCONN: 128,
};

const tables: Partial<Record<NodeJS.Platform, Table>> = {
  linux,
  android: linux,
  darwin: bsd,
  freebsd: { ...bsd, AF_INET6: 28, SOCK_NONBLOCK: 0x20000000, SOCK_CLOEXEC: 0x10000000, SOMAXCONN: 128 },
  openbsd: { ...bsd, AF_INET6: 24, SOCK_NONBLOCK: 0x4000, SOCK_CLOEXEC: 0x8000 },
  netbsd: { ...bsd, AF_INET6: 24, SOCK_NONBLOCK: 0x20000000, SOCK_CLOEXEC: 0x10000000 },
};

const table = tables[process.platform] ?? linux;

/** Unix domain sockets; an address is a filesystem path. */
export const AF_UNIX = 1;
/** IPv4; an address is `[host, port]`. */
export const AF_INET = 2;
/** IPv6; an address is `[host, port]`. */
export const AF_INET6 = table.AF_INET6;
/** A connected byte stream (TCP for AF_INET and AF_INET6). */
export const SOCK_STREAM = 1;
/** Datagrams (UDP for AF_INET and AF_INET6). */
export const SOCK_DGRAM = 2;
/** Or-ed into a socket type: create it non-blocking (Linux and the BSDs). */
export const SOCK_NONBLOCK: number | undefined = table.SOCK_NONBLOCK;
/** Or-ed into a socket type: close-on-exec (new sockets always are here). */
export const SOCK_CLOEXEC: number | undefined = table.SOCK_CLOEXEC;
/** The level of the socket-wide options (SO_*). */
export const SOL_SOCKET = table.SOL_SOCKET;
/** Allow binding an address still in TIME_WAIT. */
export const SO_REUSEADDR = table.SO_REUSEADDR;
/** Let several sockets bind the same address and port (where the system has it). */
export const SO_REUSEPORT: number | undefined = table.SO_REUSEPORT;
/** Read (and clear) the pending error: how a non-blocking connect() ended. */
export const SO_ERROR = table.SO_ERROR;
/** The socket's type (SOCK_STREAM, SOCK_DGRAM). */
export const SO_TYPE = table.SO_TYPE;
/** Send TCP keep-alive probes. */
export const SO_KEEPALIVE = table.SO_KEEPALIVE;
/** Allow sending datagrams to a broadcast address. */
export const SO_BROADCAST = table.SO_BROADCAST;
/** The send buffer's size in bytes. */
export const SO_SNDBUF = table.SO_SNDBUF;
/** The receive buffer's size in bytes. */
export const SO_RCVBUF = table.SO_RCVBUF;
/** The level of the IPv4 options. */
export const IPPROTO_IP = 0;
/** The level of the TCP options (TCP_NODELAY). */
export const IPPROTO_TCP = 6;
/** UDP's protocol number. */
export const IPPROTO_UDP = 17;
/** The level of the IPv6 options (IPV6_V6ONLY). */
export const IPPROTO_IPV6 = 41;
/** An AF_INET6 socket accepts IPv6 only (asyncio sets it on IPv6 servers). */
export const IPV6_V6ONLY = table.IPV6_V6ONLY;
/** Send small segments at once (disable Nagle's algorithm). */
export const TCP_NODELAY = 1;
/** shutdown(): no more receiving. */
export const SHUT_RD = 0;
/** shutdown(): no more sending (the peer reads end of file). */
export const SHUT_WR = 1;
/** shutdown(): neither. */
export const SHUT_RDWR = 2;
/** The system's largest listen() backlog, as its headers give it. */
export const SOMAXCONN = table.SOMAXCONN;
