#!/usr/bin/env python3
"""A minimal SMTP server that accepts and discards every message, for load tests.

    python3 bench/smtp_sink.py PORT

It answers EHLO/MAIL/RCPT/DATA/RSET/NOOP/QUIT, keeps connections open between messages (so a
client's connection pool is exercised) and prints the number of messages received on exit.
"""
import asyncio
import signal
import sys

received = 0


async def session(reader, writer):
    global received
    writer.write(b"220 sink ESMTP\r\n")
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            cmd = line[:4].upper()
            if cmd in (b"EHLO", b"HELO"):
                writer.write(b"250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
            elif cmd == b"DATA":
                writer.write(b"354 go ahead\r\n")
                await writer.drain()
                # The whole message up to its final dot in one read (not a line at a time),
                # so the sink accepts several times what a client sends it.
                try:
                    await reader.readuntil(b"\r\n.\r\n")
                except asyncio.IncompleteReadError:
                    break
                received += 1
                writer.write(b"250 queued\r\n")
            elif cmd == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
    except ConnectionError:
        pass
    writer.close()


async def main(port):
    server = await asyncio.start_server(session, "127.0.0.1", port, limit=64 * 1024 * 1024)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()
    print(f"smtp sink received {received} messages", flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
