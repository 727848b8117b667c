#!/usr/bin/env python3
"""A local SMTP relay stand-in for development and tests: speaks real SMTP (EHLO, MAIL,
RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) on loopback and writes every message it
accepts to DIR as <sequence>.eml, headed by its envelope (X-Envelope-From, X-Envelope-To).

    smtp-sink.py --port 2525 --dir .state/run/mail
"""
import argparse
import asyncio
import itertools
import os
import time

counter = itertools.count(1)


def store(directory, sender, recipients, data):
    # The pid keeps names apart when several sinks share DIR (make cluster: one per app host).
    name = "%d-%d-%06d.eml" % (int(time.time() * 1000), os.getpid(), next(counter))
    head = "X-Envelope-From: <%s>\r\nX-Envelope-To: %s\r\n" % (sender, ", ".join("<%s>" % r for r in recipients))
    temporary = os.path.join(directory, "." + name)
    with open(temporary, "wb") as f:
        f.write(head.encode() + data)
    os.rename(temporary, os.path.join(directory, name))  # readers never see half a message


def address(argument):
    argument = argument.split(":", 1)[1].strip() if ":" in argument else argument
    return argument.split(" ")[0].strip("<>")


async def session(reader, writer, directory):
    try:
        await converse(reader, writer, directory)
    except ConnectionError:
        pass  # a client that hangs up (a port probe) is not an error
    finally:
        writer.close()


async def converse(reader, writer, directory):
    async def reply(line):
        writer.write((line + "\r\n").encode())
        await writer.drain()

    await reply("220 localhost commerce-fcgi smtp sink")
    sender, recipients = None, []
    while True:
        line = await reader.readline()
        if not line:
            break
        command = line.decode("utf-8", "replace").rstrip("\r\n")
        verb = command[:4].upper()
        if verb in ("EHLO", "HELO"):
            await reply("250-localhost" if verb == "EHLO" else "250 localhost")
            if verb == "EHLO":
                await reply("250-8BITMIME")
                await reply("250 SIZE 10485760")
        elif verb == "MAIL":
            sender, recipients = address(command), []
            await reply("250 OK")
        elif verb == "RCPT":
            if sender is None:
                await reply("503 need MAIL first")
                continue
            recipients.append(address(command))
            await reply("250 OK")
        elif verb == "DATA":
            if not recipients:
                await reply("503 need RCPT first")
                continue
            await reply("354 end with <CRLF>.<CRLF>")
            lines = []
            while True:
                data_line = await reader.readline()
                if not data_line or data_line in (b".\r\n", b".\n"):
                    break
                if data_line.startswith(b".."):
                    data_line = data_line[1:]
                lines.append(data_line)
            store(directory, sender, recipients, b"".join(lines))
            sender, recipients = None, []
            await reply("250 OK queued")
        elif verb == "RSET":
            sender, recipients = None, []
            await reply("250 OK")
        elif verb == "NOOP":
            await reply("250 OK")
        elif verb == "QUIT":
            await reply("221 bye")
            break
        else:
            await reply("502 command not implemented")


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--dir", required=True)
    arguments = parser.parse_args()
    os.makedirs(arguments.dir, exist_ok=True)
    server = await asyncio.start_server(lambda r, w: session(r, w, arguments.dir), arguments.host, arguments.port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
