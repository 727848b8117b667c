#!/usr/bin/env python3
"""A merchant's webhook receiver for the local stack and its tests (API.md §12.6): answers
every POST with 200 and appends what it got to a JSON-lines log (path, headers, body). Its
control routes let a test make it fail for a while:
  POST /_control/mode {"mode":"ok"|"error503"}   GET /_control/received   POST /_control/reset
"""
import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
state = {"mode": "ok"}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body=b"{}"):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        if self.path == "/_control/received":
            with lock, open(args.log, "a+") as log:
                log.seek(0)
                lines = [json.loads(line) for line in log if line.strip()]
            return self.reply(200, json.dumps(lines).encode())
        self.reply(404)

    def do_POST(self):
        body = self.read_body()
        if self.path == "/_control/mode":
            state["mode"] = json.loads(body)["mode"]
            return self.reply(200)
        if self.path == "/_control/reset":
            with lock:
                open(args.log, "w").close()
                state["mode"] = "ok"
            return self.reply(200)
        if state["mode"] == "error503":
            return self.reply(503, b'{"error":"unavailable"}')
        entry = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body.decode("utf-8", "replace")}
        with lock, open(args.log, "a") as log:
            log.write(json.dumps(entry) + "\n")
        print("webhook", self.headers.get("Commerce-Event-Type"), self.headers.get("Commerce-Event-Id"), flush=True)
        self.reply(200, b'{"ok":true}')


parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--log", required=True)
args = parser.parse_args()
ThreadingHTTPServer((args.host, args.port), Handler).serve_forever()
