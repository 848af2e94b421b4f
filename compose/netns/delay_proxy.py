#!/usr/bin/env python3
"""Latency fault for the drill hosts (this kernel has no sch_netem, so no `tc netem delay`).

Listens on --listen and forwards every connection to --target, holding each chunk of bytes for
--delay-ms in each direction (order kept). hosts.sh runs it inside a host's namespace and
redirects that host's inbound TCP port to it with an iptables REDIRECT, so every connection made
to the host (clients, other brokers' fetchers, ZooKeeper peers) sees the delay. Stopped by PID.
"""
import argparse
import asyncio
import os
import signal
import sys


async def pump(reader, writer, delay):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def send():
        try:
            while True:
                due, data = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if data is None:
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    sender = asyncio.create_task(send())
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            queue.put_nowait((loop.time() + delay, data))
    except (ConnectionError, OSError):
        pass
    queue.put_nowait((loop.time() + delay, None))
    await sender


async def serve(listen_port, target_host, target_port, delay):
    async def handle(client_reader, client_writer):
        try:
            up_reader, up_writer = await asyncio.open_connection(target_host, target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pump(client_reader, up_writer, delay),
                             pump(up_reader, client_writer, delay))

    server = await asyncio.start_server(handle, "0.0.0.0", listen_port, reuse_address=True)
    print(f"delay_proxy listening port={listen_port} target={target_host}:{target_port} "
          f"delay_ms={delay * 1000:.0f}", flush=True)
    async with server:
        await server.serve_forever()


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--listen", type=int, required=True)
    p.add_argument("--target", required=True, help="HOST:PORT")
    p.add_argument("--delay-ms", type=float, required=True)
    a = p.parse_args()
    host, _, port = a.target.rpartition(":")
    if not host or not port.isdigit() or a.delay_ms < 0:
        print("delay_proxy: bad --target or --delay-ms", file=sys.stderr)
        return 2
    # Exit at once: the kernel closes every socket, so both ends of each proxied connection see it
    # close and reconnect directly (sys.exit inside the event loop does not reliably end it).
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    asyncio.run(serve(a.listen, host, int(port), a.delay_ms / 1000.0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
