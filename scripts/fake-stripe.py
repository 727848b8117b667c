#!/usr/bin/env python3
"""A local stand-in for Stripe's REST API, for development and tests. It speaks the parts of
the real protocol the service uses: form-encoded POSTs, Bearer keys, Idempotency-Key replays
(errors included, as Stripe does), the error envelope, PaymentIntents (create, retrieve,
cancel) and refunds. Like Stripe, it signs webhook events (Stripe-Signature, HMAC-SHA256 over
"t.body") and POSTs them to the service: on demand for payments, on its own for refunds.

    fake-stripe.py --port 12111 --secret-key sk_test_x --webhook-secret whsec_x \
                   --webhook-url http://127.0.0.1:8080/api/stripe/webhook

Test control, under /_control (never part of Stripe's API):
    POST /_control/reset                        forget failure modes and the request log
    POST /_control/mode {"mode": m, "times": n} the next n API calls (all, without n):
         ok | error500 (a stored 500 api_error) | drop (close without answering) | hang (30 s, then close)
         | delay (answer normally after "seconds": s)
    GET  /_control/requests                     every API call received: method, path, headers, form
    POST /_control/pay/<intent>    {"outcome": "succeeded"|"failed", "amount": n, "currency": c}
         moves the intent and delivers the event at once; answers the event and the webhook's status
    GET  /_control/events                       every event delivered, with the webhook's answers
"""
import argparse
import collections
import gc
import hashlib
import hmac
import json
import secrets
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
intents = {}
refunds = {}
replays = {}  # Idempotency-Key → (params, status, body)
# The last requests, for tests to inspect (a bench sends hundreds of thousands).
request_log = collections.deque(maxlen=10_000)
event_log = []
failure = {"mode": "ok", "times": None, "seconds": 0}
settings = None


def new_id(prefix):
    return prefix + "_" + secrets.token_hex(12)


def error(status, kind, message, code=None, param=None):
    body = {"error": {"type": kind, "message": message}}
    if code:
        body["error"]["code"] = code
    if param:
        body["error"]["param"] = param
    return status, body


def nested(form):
    """`metadata[order_id]=x` → {"metadata": {"order_id": "x"}}; other keys as they are."""
    out = {}
    for key, value in form:
        if "[" in key and key.endswith("]"):
            outer, inner = key[:-1].split("[", 1)
            out.setdefault(outer, {})[inner] = value
        else:
            out[key] = value
    return out


def create_intent(params):
    amount, currency = params.get("amount", ""), params.get("currency", "")
    if not amount.isdigit() or int(amount) < 1:
        return error(400, "invalid_request_error", "Invalid positive integer", "parameter_invalid_integer", "amount")
    if len(currency) != 3 or not currency.isalpha() or currency != currency.lower():
        return error(400, "invalid_request_error", "Invalid currency: %s" % currency, "parameter_invalid", "currency")
    intent_id = new_id("pi")
    intent = {
        "id": intent_id, "object": "payment_intent", "amount": int(amount), "amount_received": 0, "currency": currency,
        "status": "requires_payment_method", "client_secret": intent_id + "_secret_" + secrets.token_hex(8),
        "metadata": params.get("metadata", {}), "created": int(time.time()), "livemode": False, "last_payment_error": None,
        "latest_charge": None,
    }
    intents[intent_id] = intent
    if len(intents) % 10_000 == 0:
        # What is kept so far stays: the cycle collector need not walk it again. Without this,
        # walking every intent ever made became most of this stand-in's CPU under a bench.
        gc.freeze()
    return 200, intent


def cancel_intent(intent_id):
    intent = intents.get(intent_id)
    if intent is None:
        return error(404, "invalid_request_error", "No such payment_intent: '%s'" % intent_id, "resource_missing", "intent")
    if intent["status"] in ("succeeded", "canceled"):
        return error(400, "invalid_request_error", "You cannot cancel this PaymentIntent because it has a status of %s." % intent["status"],
                     "payment_intent_unexpected_state")
    intent["status"] = "canceled"
    intent["cancellation_reason"] = "requested_by_customer"
    return 200, intent


def create_refund(params):
    """As Stripe: `amount` (minor units) or the whole unrefunded rest; several partial refunds
    per charge, never more than was captured; `charge.refunded` follows with the charge's
    cumulative `amount_refunded`, `refunded` true only once all of it is, and its refunds
    newest first."""
    intent = intents.get(params.get("payment_intent", ""))
    if intent is None:
        return error(404, "invalid_request_error", "No such payment_intent", "resource_missing", "payment_intent")
    if intent["status"] != "succeeded":
        return error(400, "invalid_request_error", "This PaymentIntent does not have a successful charge to refund.", "charge_not_captured")
    refunded = intent.get("amount_refunded", 0)
    rest = intent["amount_received"] - refunded
    if rest <= 0:
        return error(400, "invalid_request_error", "Charge has already been refunded.", "charge_already_refunded")
    amount = rest
    if "amount" in params:
        if not params["amount"].isdigit() or int(params["amount"]) <= 0:
            return error(400, "invalid_request_error", "Invalid positive integer", "parameter_invalid_integer", "amount")
        amount = int(params["amount"])
        if amount > rest:
            return error(400, "invalid_request_error",
                         "Refund amount (%d) is greater than unrefunded amount on charge (%d)" % (amount, rest), "amount_too_large", "amount")
    intent["amount_refunded"] = refunded + amount
    refund = {"id": new_id("re"), "object": "refund", "amount": amount, "currency": intent["currency"],
              "payment_intent": intent["id"], "charge": intent["latest_charge"], "status": "succeeded",
              "metadata": params.get("metadata", {}), "created": int(time.time())}
    refunds[refund["id"]] = refund
    intent.setdefault("refund_ids", []).insert(0, refund["id"])
    charge = {"id": intent["latest_charge"], "object": "charge", "amount": intent["amount_received"],
              "amount_refunded": intent["amount_refunded"], "currency": intent["currency"], "payment_intent": intent["id"],
              "refunded": intent["amount_refunded"] == intent["amount_received"], "status": "succeeded",
              "refunds": {"object": "list", "data": [dict(refunds[r]) for r in intent["refund_ids"][:10]]}}
    # Stripe sends the event some moments after answering.
    threading.Thread(target=lambda: (time.sleep(0.2), deliver("charge.refunded", charge)), daemon=True).start()
    return 200, refund


def sign(body):
    timestamp = str(int(time.time()))
    digest = hmac.new(settings.webhook_secret.encode(), (timestamp + ".").encode() + body, hashlib.sha256).hexdigest()
    return "t=%s,v1=%s" % (timestamp, digest)


def deliver(kind, obj):
    """POSTs one signed event to the service; returns the webhook's HTTP status (0: no answer)."""
    event = {"id": new_id("evt"), "object": "event", "api_version": "2024-06-20", "created": int(time.time()), "type": kind,
             "livemode": False, "data": {"object": obj}}
    body = json.dumps(event).encode()
    status = 0
    if settings.webhook_url:
        request = urllib.request.Request(settings.webhook_url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Stripe-Signature": sign(body), "User-Agent": "Stripe/1.0 (fake)"})
        try:
            with urllib.request.urlopen(request, timeout=20) as answer:
                status = answer.status
        except urllib.error.HTTPError as refused:
            status = refused.code
        except OSError:
            status = 0
    with lock:
        event_log.append({"event": event, "status": status})
    return event, status


def pay(intent_id, options):
    with lock:
        intent = intents.get(intent_id)
        if intent is None:
            return 404, {"error": "no such intent"}
        obj = dict(intent)
        if options.get("outcome", "succeeded") == "failed":
            intent["status"] = "requires_payment_method"
            intent["last_payment_error"] = {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}
            kind = "payment_intent.payment_failed"
        else:
            intent["status"] = "succeeded"
            intent["amount_received"] = intent["amount"]
            intent["latest_charge"] = new_id("ch")
            kind = "payment_intent.succeeded"
        obj = dict(intent)
        # A test may make the event disagree with the intent (amount mismatch).
        for field in ("amount", "currency"):
            if field in options:
                obj[field] = options[field]
    event, status = deliver(kind, obj)
    return 200, {"event": event, "webhookStatus": status}


class Headers(dict):
    """Request headers by lower-cased name; `get` takes any spelling, as Message.get does."""

    def get(self, name, default=None):
        return dict.get(self, name.lower(), default)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-stripe"
    # With Nagle on, an answer written after another on a kept-alive connection could wait
    # for the client's delayed ACK (40 ms on Linux).
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def parse_request(self):
        # The standard parser hands every header block to the email package: without it this
        # server answers 40 % more calls per second, CPU a benchmark running beside it would
        # charge to the service. Stripe's requests are plain HTTP/1.1: a request line, then
        # "Name: value" lines.
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = self.requestline.split()
        if len(words) != 3 or words[2] not in ("HTTP/1.0", "HTTP/1.1"):
            self.request_version = "HTTP/1.0"
            self.send_error(400, "Bad request line")
            return False
        self.command, self.path, self.request_version = words
        headers = Headers()
        while True:
            line = self.rfile.readline(65537)
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("iso-8859-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        self.headers = headers
        self.close_connection = self.request_version == "HTTP/1.0" or headers.get("Connection", "").lower() == "close"
        if headers.get("Expect", "").lower() == "100-continue":
            return self.handle_expect_100()
        return True

    def date_time_string(self, timestamp=None):
        # Formatted once a second, not per answer.
        now = int(time.time()) if timestamp is None else int(timestamp)
        if now != self._date[0]:
            Handler._date = (now, BaseHTTPRequestHandler.date_time_string(self, now))
        return self._date[1]

    _date = (0, "")

    def reply(self, status, body, headers=()):
        # Head and body in one write, as Stripe's servers answer: a body sent on its own costs
        # the client one more wake-up per call, which a benchmark would charge to the service.
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", new_id("req"))
        for name, value in headers:
            self.send_header(name, value)
        self._headers_buffer.append(b"\r\n" + data)
        self.flush_headers()

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def handle_any(self, method):
        raw = self.body()
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/_control/"):
            return self.control(method, path, raw)
        form = urllib.parse.parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)
        with lock:
            request_log.append({"method": method, "path": path, "form": form, "body": raw.decode("utf-8", "replace"), "headers": {
                name.lower(): value for name, value in self.headers.items()
                if name.lower() in ("idempotency-key", "stripe-version", "content-type", "authorization")}})
            mode, delay = failure["mode"], failure["seconds"]
            if failure["times"] is not None:
                failure["times"] -= 1
                if failure["times"] <= 0:
                    failure.update(mode="ok", times=None, seconds=0)
        if mode == "drop":
            self.close_connection = True
            return
        if mode == "hang":
            time.sleep(30)
            self.close_connection = True
            return
        if mode == "delay":
            time.sleep(delay)
        if self.headers.get("Authorization") != "Bearer " + settings.secret_key:
            return self.reply(*error(401, "invalid_request_error", "Invalid API Key provided."))
        key = self.headers.get("Idempotency-Key")
        with lock:
            if method == "POST" and key and key in replays:
                params, status, answer = replays[key]
                if params != (path, form):
                    return self.reply(*error(400, "idempotency_error",
                                             "Keys for idempotent requests can only be used with the same parameters they were first used with."))
                return self.reply(status, answer, [("Idempotent-Replayed", "true")])
            if mode == "error500":
                status, answer = error(500, "api_error", "Something went wrong on Stripe's end.")
            else:
                status, answer = self.route(method, path, nested(form))
            if method == "POST" and key:
                replays[key] = ((path, form), status, answer)
        self.reply(status, answer)

    def route(self, method, path, params):
        parts = path.strip("/").split("/")
        if method == "POST" and parts == ["v1", "payment_intents"]:
            return create_intent(params)
        if method == "GET" and len(parts) == 3 and parts[:2] == ["v1", "payment_intents"]:
            intent = intents.get(parts[2])
            return (200, intent) if intent else error(404, "invalid_request_error", "No such payment_intent", "resource_missing")
        if method == "POST" and len(parts) == 4 and parts[:2] == ["v1", "payment_intents"] and parts[3] == "cancel":
            return cancel_intent(parts[2])
        if method == "POST" and parts == ["v1", "refunds"]:
            return create_refund(params)
        return error(404, "invalid_request_error", "Unrecognized request URL (%s: %s)." % (method, path))

    def control(self, method, path, raw):
        options = json.loads(raw) if raw else {}
        if path == "/_control/reset" and method == "POST":
            with lock:
                request_log.clear()
                event_log.clear()
                failure.update(mode="ok", times=None, seconds=0)
            return self.reply(200, {"ok": True})
        if path == "/_control/mode" and method == "POST":
            with lock:
                failure.update(mode=options.get("mode", "ok"), times=options.get("times"), seconds=float(options.get("seconds", 0)))
            return self.reply(200, {"ok": True})
        if path == "/_control/requests":
            with lock:
                return self.reply(200, list(request_log))
        if path == "/_control/events":
            with lock:
                return self.reply(200, list(event_log))
        if path.startswith("/_control/pay/") and method == "POST":
            return self.reply(*pay(path.rsplit("/", 1)[1], options))
        return self.reply(404, {"error": "unknown control path"})


def main():
    global settings
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--webhook-secret", required=True)
    parser.add_argument("--webhook-url", default="")
    settings = parser.parse_args()
    server = ThreadingHTTPServer((settings.host, settings.port), Handler)
    server.daemon_threads = True
    print("fake Stripe on 127.0.0.1:%d" % settings.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
