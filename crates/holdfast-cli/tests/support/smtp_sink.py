"""A real SMTP server for the tests: accepts every message and appends it, as one JSON line,
to the file named on the command line. Usage: python3 smtp_sink.py PORT FILE"""
import asyncio
import json
import sys

from aiosmtpd.controller import Controller


class Record:
    async def handle_DATA(self, server, session, envelope):
        with open(sys.argv[2], "a", encoding="utf-8") as out:
            out.write(json.dumps({"to": envelope.rcpt_tos, "data": envelope.content.decode("utf-8", "replace")}) + "\n")
        return "250 OK"


async def main():
    controller = Controller(Record(), hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    print("ready", flush=True)
    await asyncio.Event().wait()


asyncio.run(main())
