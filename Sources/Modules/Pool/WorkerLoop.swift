import App
import CSystem
import FastCGI
import HTTP
import Scoreboard
#if canImport(Glibc)
import Glibc
#endif

/// One worker: accept a request, answer it, account for it, repeat; between requests check
/// the drain flag, the request budget and the watchdog (DESIGN.md §3).
public final class WorkerLoop {
    private let listener: FastCGIListener
    private let application: Application
    private let maxRequests: Int
    private let logger: Logger
    private var served = 0

    public init(listenFD: Int32, application: Application, maxRequests: Int) throws {
        let logger = application.context.logger
        listener = try FastCGIListener(fd: listenFD, allowedPeers: application.context.configuration.pool.allowedFrontAddresses) { peer in
            logger.warn("FastCGI connection refused: not one of FASTCGI_ALLOWED_ADDRESSES", ["peer": .string(peer.text)])
        }
        self.application = application
        self.logger = logger
        // ± 10 % so workers started together do not all recycle at once.
        if maxRequests > 0 {
            let spread = max(1, maxRequests / 10)
            self.maxRequests = maxRequests - spread + Int.random(in: 0...(2 * spread))
        } else {
            self.maxRequests = 0
        }
    }

    public enum ExitReason: String {
        case drained = "drain requested"
        case recycled = "request budget reached"
    }

    public func run() -> ExitReason {
        let slot = application.context.slot
        let clock = application.context.clock
        slot.setResidentBytes(ResidentMemory.bytes())
        slot.setState(.idle)
        _ = cfcgi_sd_notify("READY=1\nSTATUS=accepting requests")
        var lastHousekeeping = clock.monotonicNanoseconds()
        while true {
            if cfcgi_worker_stop_requested() != 0 {
                slot.setState(.exiting)
                return .drained
            }
            if maxRequests > 0 && served >= maxRequests {
                slot.setState(.exiting)
                return .recycled
            }
            let now = clock.monotonicNanoseconds()
            if now - lastHousekeeping > 1_000_000_000 {
                lastHousekeeping = now
                _ = cfcgi_sd_notify("WATCHDOG=1")
                slot.setResidentBytes(ResidentMemory.bytes())
            }
            let accepted: FastCGIExchange?
            do {
                accepted = try listener.accept(timeoutMilliseconds: 1000)
            } catch {
                logger.error("accept failed", ["error": .string(String(describing: error))])
                usleep(100_000)
                continue
            }
            guard let exchange = consume accepted else { continue }
            serve(exchange, slot: slot, clock: clock)
            served += 1
        }
    }

    private func serve(_ exchange: consuming FastCGIExchange, slot: ScoreboardSlot, clock: Clock) {
        let started = clock.monotonicNanoseconds()
        slot.beginRequest(patternIndex: nil, epochMilliseconds: clock.epochMilliseconds())
        let (request, failure) = RequestDecoder.decode(
            exchange, bodyLimit: Configuration.requestBodyLimit, streamLimit: application.streamedBodyLimit,
            streams: application.streamsBody, trustedPeer: application.context.configuration.nginxUserId)
        let response: Response
        switch failure {
        case .bodyTooLarge:
            let streamed = application.streamsBody(request.method, request.rawPath)
            response = rejectTooLarge(request, limit: streamed ? application.streamedBodyLimit : Configuration.requestBodyLimit, started: started)
        case .unknownMethod:
            response = application.handleUnknownMethod(request, startedAt: started)
        case nil:
            response = application.handle(request, startedAt: started)
            // Whatever a streaming handler left unread (it refused the upload midway).
            if request.bodyStream != nil { exchange.drain() }
        }
        do {
            try exchange.write(head: response.cgiHead(), body: response.body)
            try response.stream?.produce { chunk in try exchange.write(head: [], body: chunk) }
        } catch {
            // nginx went away (client abort or fastcgi_read_timeout): nothing left to tell it.
            logger.warn("response not delivered", ["requestId": .string(request.requestId), "error": .string(String(describing: error))])
        }
        exchange.finish()
    }

    private func rejectTooLarge(_ request: Request, limit: Int, started: UInt64) -> Response {
        application.handleRejected(request, error: .payloadTooLarge(limit: limit), startedAt: started)
    }
}
