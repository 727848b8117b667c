import Foundation
import HTTP
import HTTPClient
import Testing

extension EndToEndTests {
    /// A slow outside service never takes the shop dark (issue 8): the checkout routes have a
    /// pool of their own, Stripe's part of a request has a budget, a breaker shared by the host
    /// stops calling a failing Stripe, and PostgreSQL outages cost answers, not a storm of
    /// reconnects.
    @Suite struct Isolation {
        let stack: Stack
        let stripe: FakeStripe
        init() throws {
            stack = try Stack.current()
            stripe = try FakeStripe(stack: stack)
            try stripe.reset()
        }

        private func metrics() throws -> String { try stack.get("/api/metrics").text }

        private func checkoutWorkers() throws -> Int { Int(try stack.environmentFile()["CHECKOUT_WORKERS"] ?? "") ?? 0 }

        @Test func aHangingStripeOccupiesOnlyTheCheckoutPoolAndTheBreakerTakesOver() throws {
            let f = try CatalogFixture(stack: stack)
            let cup = try f.product("Cup", stock: 100)
            let pool = try checkoutWorkers()
            #expect(pool == 2)
            let shoppers = try (0..<(2 * pool)).map { _ in try stack.shopper() }
            for shopper in shoppers { try shopper.add(cup.id) }
            try stripe.mode("hang")
            defer { try? stripe.reset() }

            // Twice as many checkouts as the checkout pool has workers, all at once.
            let answers = Locked([Int: (status: Int, seconds: Double, payment: JSONValue?)]())
            let done = DispatchGroup()
            for (index, shopper) in shoppers.enumerated() {
                done.enter()
                Thread {
                    let started = Date()
                    let response = try? shopper.checkout()
                    let payment = try? response?.json["data"]?["payment"]
                    answers.mutate { $0[index] = (response?.status ?? -1, Date().timeIntervalSince(started), payment) }
                    done.leave()
                }.start()
            }
            // Meanwhile the catalog answers, every time, from the api pool.
            Thread.sleep(forTimeInterval: 0.3)
            var catalog: [Int] = []
            var slowest = 0.0
            for _ in 0..<100 {
                let started = Date()
                catalog.append(try stack.get("/api/products?limit=5").status)
                slowest = max(slowest, Date().timeIntervalSince(started))
            }
            #expect(catalog.allSatisfy { $0 == 200 }, "\(catalog)")
            #expect(slowest < 1, "slowest catalog answer \(slowest) s")
            done.wait()
            let results = answers.value.values
            #expect(results.count == 2 * pool)
            for result in results {
                #expect(result.status == 201)
                #expect(result.seconds < 20, "a checkout took \(result.seconds) s")
                #expect(result.payment == .null)
            }

            // Enough failures in a row: the breaker is open for the whole host.
            let opened = try metrics()
            #expect(opened.contains(#"commerce_payments_breaker_state{state="open"} 1"#))
            let ready = try stack.get("/api/health/ready")
            #expect(ready.status == 200)
            #expect(try ready.json["status"] == "degraded")
            #expect(try ready.json["checks"]?["payments"] == .object(["status": "degraded", "breaker": "open"]))
            // A checkout now answers at once without calling Stripe.
            let callsBefore = try stripe.calls().count
            let late = try stack.shopper()
            try late.add(cup.id)
            let started = Date()
            let quick = try late.checkout()
            #expect(Date().timeIntervalSince(started) < 1)
            #expect(quick.status == 201)
            #expect(try quick.json["data"]?["payment"] == .null)
            #expect(try stripe.calls().count == callsBefore)

            // Stripe recovers; after the cool-down one trial closes the breaker again.
            try stripe.mode("ok")
            Thread.sleep(forTimeInterval: 3.2)
            let recovered = try stack.shopper()
            try recovered.add(cup.id)
            let paid = try recovered.checkout()
            #expect(paid.status == 201)
            #expect(try paid.json["data"]?["payment"]?["paymentIntentId"]?.stringValue?.hasPrefix("pi_") == true)
            #expect(try metrics().contains(#"commerce_payments_breaker_state{state="closed"} 1"#))
            #expect(try stack.get("/api/health/ready").json["status"] == "ok")
        }

        @Test func checkoutRoutesAreServedByTheCheckoutPoolAndTheRestByTheAPIPool() throws {
            let f = try CatalogFixture(stack: stack)
            let cup = try f.product("Cup", stock: 10)
            let shopper = try stack.shopper()
            try shopper.add(cup.id)
            let order = try shopper.checkout()
            #expect(order.status == 201)
            let list = try stack.send("GET", "/api/orders", token: shopper.account.accessToken)
            #expect(list.status == 200)
            func pool(of response: HTTPClientResponse) throws -> String? {
                let id = try #require(response.header("x-request-id"))
                guard let line = try stack.logLines().first(where: { $0.contains(id) && $0.contains(#""msg":"request""#) }) else { return nil }
                return try JSONParser.parse(Array(line.utf8))["pool"]?.stringValue
            }
            #expect(try pool(of: order) == "checkout")
            #expect(try pool(of: list) == "api")
            let text = try metrics()
            #expect(text.contains(#"http_requests_total{pool="checkout",method="POST",route="/api/orders",status="201"}"#))
            #expect(text.contains(#"commerce_workers_configured{pool="checkout"} 2"#))
            #expect(text.contains(#"commerce_listen_queue{pool="checkout"} 0"#))
        }

        @Test func statusShowsEveryWorkerAndTheRouteARequestHasBeenOnForHowLong() throws {
            let slow = Locked<Int?>(nil)
            let done = DispatchSemaphore(value: 0)
            Thread {
                slow.mutate { $0 = try? stack.get("/api/_test/sleep?ms=2500").status }
                done.signal()
            }.start()
            Thread.sleep(forTimeInterval: 0.6)
            let env = try stack.environmentFile()
            func status() throws -> JSONValue {
                let (code, output) = try Subprocess.run(stack.binary, ["status", "--json"], environment: env)
                guard code == 0 else { throw Stack.StackError("status exited \(code)") }
                return try JSONParser.parse(output)
            }
            func sleeper(_ report: JSONValue) -> JSONValue? {
                report["pools"]?.arrayValue?.first { $0["pool"] == "api" }?["processes"]?.arrayValue?.first { $0["route"] == "/api/_test/sleep" }
            }
            let first = try status()
            let busy = try #require(sleeper(first))
            #expect(busy["state"] == "busy")
            let early = busy["requestMilliseconds"]?.intValue ?? 0
            #expect(early >= 400)
            #expect((busy["residentBytes"]?.intValue ?? 0) > 1_000_000)
            #expect(first["pools"]?.arrayValue?.map { $0["pool"]?.stringValue ?? "" } == ["api", "checkout"])
            #expect(first["pools"]?[0]?["configuredWorkers"] == 4)
            #expect(first["paymentsBreaker"]?["state"] == "closed")
            Thread.sleep(forTimeInterval: 0.7)
            let later = try #require(sleeper(try status()))
            #expect((later["requestMilliseconds"]?.intValue ?? 0) > early + 500)
            // The text form, for a terminal.
            let (_, text) = try Subprocess.run(stack.binary, ["status"], environment: env)
            let printed = String(decoding: text, as: UTF8.self)
            #expect(printed.contains("pool:               checkout"))
            #expect(printed.contains("/api/_test/sleep"))
            done.wait()
            #expect(slow.value == 200)
        }

        @Test func aRequestPastItsPoolsTimeoutLosesItsWorkerNotThePool() throws {
            let before = try metrics()
            let started = Date()
            let response = try stack.get("/api/_test/sleep?ms=12000")
            let seconds = Date().timeIntervalSince(started)
            // API_REQUEST_TIMEOUT is 8 s on the test stack: the supervisor kills the worker and nginx answers 503.
            #expect(response.status == 503)
            #expect(seconds > 7 && seconds < 11, "\(seconds) s")
            #expect(try stack.logLines().contains { $0.contains("request exceeded its pool's REQUEST_TIMEOUT") && $0.contains("/api/_test/sleep") })
            #expect(restarts(try metrics()) > restarts(before))
            #expect(try stack.get("/health").status == 200)
        }

        private func restarts(_ metrics: String) -> Int {
            metrics.split(separator: "\n").first { $0.hasPrefix(#"commerce_worker_restarts_total{pool="api"}"#) }
                .flatMap { Int($0.split(separator: " ").last ?? "") } ?? -1
        }

        @Test func postgreSQLStoppedUnderLoadTwiceComesBackWithinASecondWithoutAReconnectStorm() throws {
            let stop = Locked(false)
            let answered = Locked([Int]())
            let load = DispatchGroup()
            for _ in 0..<4 {
                load.enter()
                Thread {
                    let client = HTTPClient()
                    while !stop.value {
                        let status = (try? stack.request("GET", "/api/health/ready", client: client).status) ?? -1
                        answered.mutate { $0.append(status) }
                    }
                    load.leave()
                }.start()
            }
            defer { stop.mutate { $0 = true }; load.wait() }
            for round in 1...2 {
                let attemptsBefore = failedConnects(try metrics())
                try stack.script("services.sh", "pg-stop")
                answered.mutate { $0.removeAll() }
                Thread.sleep(forTimeInterval: 2)
                let whileDown = answered.value
                // Workers answered (503) all along, and tried PostgreSQL a few times a second at most.
                #expect(whileDown.count > 50, "round \(round): \(whileDown.count) answers while down")
                #expect(whileDown.allSatisfy { $0 == 503 }, "round \(round)")
                try stack.script("services.sh", "pg-start")
                let restarted = Date()
                #expect(stack.eventually(3) { (try? stack.get("/api/health/ready").status) == 200 }, "round \(round)")
                #expect(Date().timeIntervalSince(restarted) < 1, "round \(round): \(Date().timeIntervalSince(restarted)) s")
                let attempts = failedConnects(try metrics()) - attemptsBefore
                // Six workers, four attempts a second each at most, over about two and a half seconds.
                #expect(attempts > 0 && attempts <= 6 * 4 * 3, "round \(round): \(attempts) failed connects for \(whileDown.count) requests")
            }
            let log = try String(contentsOfFile: stack.state + "/logs/postgres.log", encoding: .utf8)
            #expect(!log.contains("could not bind"))
        }

        private func failedConnects(_ metrics: String) -> Int {
            metrics.split(separator: "\n").first { $0.hasPrefix(#"db_connection_attempts_total{result="failed"}"#) }
                .flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        }
    }
}
