"""The echo server of bench/'s io suite in CPython: asyncio streams or
protocols, on asyncio's own loop or on uvloop's.

Usage: echo_server.py asyncio|uvloop streams|protocols

Listens on 127.0.0.1, a free port, and prints one JSON line once it serves:
{"port", "python", "executable", "loop"}; or {"skip": reason} and exits with
status 3 when uvloop cannot be imported. Then echoes until it is killed.
Run by bench/src/io/index.ts beside the same servers in raw Node and asyncio-ts,
with bench/native/echo-client.c as the load.
"""
import asyncio
import json
import platform
import sys


class EchoProtocol(asyncio.Protocol):
    """The classic protocol echo: every chunk written back as it comes."""

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)

    def connection_lost(self, exc):
        self.transport = None


async def echo_streams(reader, writer):
    """The streams echo as users write it: read, write, drain."""
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def serve(api, loop_name):
    loop = asyncio.get_running_loop()
    if api == 'streams':
        server = await asyncio.start_server(echo_streams, '127.0.0.1', 0)
    else:
        server = await loop.create_server(EchoProtocol, '127.0.0.1', 0)
    print(json.dumps({
        'port': server.sockets[0].getsockname()[1],
        'python': platform.python_version(),
        'executable': sys.executable,
        'loop': loop_name,
    }), flush=True)
    await server.serve_forever()


def main():
    loop_name, api = sys.argv[1], sys.argv[2]
    if api not in ('streams', 'protocols') or loop_name not in ('asyncio', 'uvloop'):
        sys.exit('usage: echo_server.py asyncio|uvloop streams|protocols')
    loop_factory = None
    if loop_name == 'uvloop':
        try:
            import uvloop
        except ImportError as error:
            print(json.dumps({'skip': f'uvloop is not importable by {sys.executable} ({error}); '
                                      'on Debian: apt-get install python3-uvloop'}), flush=True)
            sys.exit(3)
        loop_factory = uvloop.new_event_loop
        loop_name = f'uvloop {uvloop.__version__}'
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(serve(api, loop_name))


if __name__ == '__main__':
    main()
