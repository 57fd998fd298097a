#!/usr/bin/env python3
"""How fast the SMTP sink accepts mail, to show it is not what limits the mail worker's figure.

    python3 bench/sink_check.py PORT [MESSAGES] [CONNECTIONS] [BYTES]

Sends MESSAGES messages of BYTES bytes (default 20 000, 8, 24 000: the size of a confirmation
email with its QR code and calendar part) to a sink on 127.0.0.1:PORT over CONNECTIONS
connections, each writing its commands and message in one go (RFC 2920 pipelining) and reading
the replies after, and prints the rate the sink took them at.
"""
import asyncio
import sys
import time


async def client(port, count, body):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await reader.readline()  # greeting
    writer.write(b"EHLO check\r\n")
    while not (await reader.readline()).startswith(b"250 "):
        pass
    one = (
        b"MAIL FROM:<check@example.com>\r\nRCPT TO:<sink@example.com>\r\nDATA\r\n"
        + body
        + b"\r\n.\r\n"
    )
    for _ in range(count):
        writer.write(one)
        for _ in range(4):  # MAIL, RCPT, DATA (354), the message
            line = await reader.readline()
            if not line[:1] in (b"2", b"3"):
                raise SystemExit(f"sink refused: {line!r}")
    writer.write(b"QUIT\r\n")
    await writer.drain()
    writer.close()


async def main(port, messages, connections, size):
    line = b"x" * 74 + b"\r\n"
    body = b"Subject: check\r\n\r\n" + line * (size // len(line))
    per = messages // connections
    start = time.monotonic()
    await asyncio.gather(*(client(port, per, body) for _ in range(connections)))
    took = time.monotonic() - start
    print(f"sink accepted {per * connections} messages of {len(body)} bytes in {took:.1f} s = "
          f"{per * connections / took:.0f} messages/s over {connections} connections")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    port, messages, connections, size = (args + [20000, 8, 24000][len(args) - 1:])[:4]
    asyncio.run(main(port, messages, connections, size))
