/**
 * Socket addresses between Python's shapes and the addon's: checking an
 * `[host, port]` or a path against a socket's family, and printing one as
 * Python's repr does.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { NativeAddress } from '../binding.js';
import { ValueError } from '../errors.js';
import { AF_INET, AF_INET6, AF_UNIX } from '../socket-constants.js';
import { describe } from './checks.js';

/**
 * A socket address, as Python gives it: `[host, port]` for AF_INET and
 * AF_INET6 (the host a numeric address), the path for AF_UNIX.
 */
export type Address = [host: string, port: number] | string;

/** The name of a family constant, for messages and inspect. */
export function familyName(family: number): string {
  if (family === AF_INET) return 'AF_INET';
  if (family === AF_INET6) return 'AF_INET6';
  if (family === AF_UNIX) return 'AF_UNIX';
  return String(family);
}

const anyHost: Record<number, string> = { [AF_INET]: '0.0.0.0', [AF_INET6]: '::' };
const loopbackHost: Record<number, string> = { [AF_INET]: '127.0.0.1', [AF_INET6]: '::1' };

function checkHost(host: string, family: number, where: string): string {
  if (host === '') return anyHost[family]!;
  if (host === 'localhost') return loopbackHost[family]!;
  if (family === AF_INET) {
    if (host === '<broadcast>') return '255.255.255.255';
    if (isIPv4(host)) return host;
    if (isIPv6(host)) {
      throw new ValueError(`${where}: host ${describe(host)} is an IPv6 address; use an AF_INET6 socket for it`);
    }
  } else {
    const percent = host.indexOf('%');
    const bare = percent < 0 ? host : host.slice(0, percent);
    if (isIPv6(bare) && percent !== host.length - 1) return host;
    if (isIPv4(host)) {
      throw new ValueError(
        `${where}: host ${describe(host)} is an IPv4 address; use an AF_INET socket, or its IPv4-mapped form '::ffff:${host}'`,
      );
    }
  }
  throw new ValueError(
    `${where}: host ${describe(host)} is not a numeric ${familyName(family) === 'AF_INET' ? 'IPv4' : 'IPv6'} address; ` +
      'Socket does not resolve names: resolve it first (dns.lookup), or let loop.sockConnect() do it',
  );
}

/**
 * `address` checked against `family`, as the `(host, port)` the addon takes
 * (an AF_UNIX path as the host, port 0).
 *
 * @throws {ValueError} naming `method` and the shape it needs.
 */
export function toNativeAddress(address: unknown, family: number, method: string): [host: string, port: number] {
  const where = `${method}()`;
  if (family === AF_UNIX) {
    if (typeof address !== 'string') {
      throw new ValueError(
        `${where}: address must be a path string for an AF_UNIX socket, got ${describe(address)}; e.g. '/tmp/app.sock'`,
      );
    }
    return [address, 0];
  }
  if (family !== AF_INET && family !== AF_INET6) {
    throw new ValueError(`${where}: sockets of family ${family} are not supported; use AF_INET, AF_INET6 or AF_UNIX`);
  }
  const example = family === AF_INET ? "['127.0.0.1', 8080]" : "['::1', 8080]";
  const maxLength = family === AF_INET6 ? 4 : 2;
  if (!Array.isArray(address) || address.length < 2 || address.length > maxLength || typeof address[0] !== 'string') {
    throw new ValueError(
      `${where}: address must be [host, port] for an ${familyName(family)} socket, got ${describe(address)}; e.g. ${example}`,
    );
  }
  const port: unknown = address[1];
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ValueError(`${where}: port must be an integer from 0 to 65535, got ${describe(port)}; 0 picks a free port`);
  }
  let host = checkHost(address[0], family, where);
  // Python's 4-tuple (host, port, flowinfo, scope_id): the scope may come apart from the host.
  const scopeId: unknown = address[3];
  if (typeof scopeId === 'number' && scopeId !== 0 && !host.includes('%')) host = `${host}%${scopeId}`;
  return [host, port];
}

/** The addon's address as an Address (an unknown family as ''). */
export function fromNativeAddress(address: NativeAddress): Address {
  return address ?? '';
}

/** `address` as Python's repr prints it: `('127.0.0.1', 5000)` or `'/tmp/app.sock'`. */
export function formatAddress(address: Address): string {
  if (typeof address === 'string') return `'${address}'`;
  return `('${address[0]}', ${address[1]})`;
}
