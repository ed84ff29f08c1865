"""A loopback SMTP server for bench/run: it accepts every mail, throws it
away, and keeps writing to STATUS_FILE one line: how many mails arrived,
and the monotonic times of the first and the last one.

    python3 smtp_sink.py PORT STATUS_FILE
"""

import asyncio
import sys
import time

count = 0
first = last = 0.0


async def converse(reader, writer):
    global count, first, last
    writer.write(b"220 bench-sink ESMTP\r\n")
    while line := await reader.readline():
        verb = line[:4].upper()
        if verb == b"EHLO":
            writer.write(b"250-bench-sink\r\n250 8BITMIME\r\n")
        elif verb == b"DATA":
            writer.write(b"354 go ahead\r\n")
            while (await reader.readline()) not in (b".\r\n", b""):
                pass
            now = time.monotonic()
            count += 1
            first = first or now
            last = now
            writer.write(b"250 queued\r\n")
        elif verb == b"QUIT":
            writer.write(b"221 bye\r\n")
            break
        else:
            writer.write(b"250 ok\r\n")
        await writer.drain()
    writer.close()


async def report(path):
    while True:
        with open(path, "w") as status:
            status.write(f"{count} {first:.6f} {last:.6f}\n")
        await asyncio.sleep(0.1)


async def main(port, path):
    server = await asyncio.start_server(converse, "127.0.0.1", port)
    async with server:
        await asyncio.gather(server.serve_forever(), report(path))


asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
