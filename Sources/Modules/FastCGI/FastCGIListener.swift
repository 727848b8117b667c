import CFastCGI
import CSystem
import Core
#if canImport(Glibc)
import Glibc
#endif

/// Accepts FastCGI connections on a listening socket that several worker processes share.
///
/// The socket is put in non-blocking mode and waited on with epoll first (EPOLLEXCLUSIVE, so
/// one idle worker is woken per connection, not the whole pool): a drain signal then wakes
/// the worker at once (epoll_wait returns EINTR), and losing an accept race to a sibling
/// worker shows up as EAGAIN instead of blocking.
///
/// The listener accepts the connection itself, before libfcgi reads a byte of it, so a TCP
/// peer outside `allowedPeers` (`FASTCGI_ALLOWED_ADDRESSES`) is closed unread. libfcgi's
/// own check (`FCGI_WEB_SERVER_ADDRS`) knows IPv4 only and lets every IPv6 peer through.
public final class FastCGIListener {
    private let fd: Int32
    private let waiter: Int32
    private let request: UnsafeMutablePointer<FCGX_Request>
    private var hasOpenRequest = false
    private let allowedPeers: Set<IPAddress>
    private let refused: (IPAddress) -> Void

    /// `refused` is told each TCP peer closed for not being in `allowedPeers`; a unix socket's
    /// peers are nginx's (the socket's mode says who may connect).
    public init(fd: Int32, allowedPeers: Set<IPAddress> = [], refused: @escaping (IPAddress) -> Void = { _ in }) throws(FastCGIError) {
        self.fd = fd
        self.allowedPeers = allowedPeers
        self.refused = refused
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw .socketFailed(operation: "fcntl(O_NONBLOCK)", errno: errno)
        }
        let waiter = cfcgi_exclusive_waiter(fd)
        guard waiter >= 0 else { throw .socketFailed(operation: "epoll_ctl(EPOLLEXCLUSIVE)", errno: -waiter) }
        self.waiter = waiter
        FCGX_Init()
        request = .allocate(capacity: 1)
        request.initialize(to: FCGX_Request())
        FCGX_InitRequest(request, fd, 0)
    }

    deinit {
        if hasOpenRequest { FCGX_Finish_r(request) }
        FCGX_Free(request, 0)
        close(waiter)
        request.deinitialize(count: 1)
        request.deallocate()
    }

    /// Waits up to `timeoutMilliseconds` for a connection. Nil when none arrived, a sibling
    /// took it, or a signal interrupted the wait: the caller checks its flags and loops.
    public func accept(timeoutMilliseconds: Int32) throws(FastCGIError) -> FastCGIExchange? {
        let ready = cfcgi_wait_readable(waiter, timeoutMilliseconds)
        if ready == 0 { return nil }
        if ready < 0 { throw .socketFailed(operation: "epoll_wait", errno: -ready) }
        // Close-on-exec from the start: not inherited by a child process (the supervisor
        // forks; a worker may run a command).
        let connection = cfcgi_accept_cloexec(fd)
        if connection < 0 {
            let code = -connection
            if code == EAGAIN || code == EINTR || code == ECONNABORTED { return nil }
            throw .acceptFailed(errno: code)
        }
        // No allowed addresses: this pool listens on a unix socket only (configuration refuses
        // TCP without them), so there is no address to ask for.
        let peer = allowedPeers.isEmpty ? nil : IPAddress.peer(of: connection)
        if let peer {
            guard allowedPeers.contains(peer) else {
                close(connection)
                refused(peer)
                return nil
            }
            // As libfcgi's own accept does: the answer goes out in several writes (head, body,
            // streamed chunks) and nothing ever answers them, so Nagle would hold the last one
            // back for a delayed ACK.
            var on: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), Int32(TCP_NODELAY), &on, socklen_t(MemoryLayout<Int32>.size))
        }
        // libfcgi reads from an open ipcFd instead of accepting; keepConnection stops the
        // FCGX_Finish_r that FCGX_Accept_r starts with from closing it (the BEGIN_REQUEST
        // record then sets it to what nginx asked for).
        request.pointee.ipcFd = connection
        request.pointee.keepConnection = 1
        let result = FCGX_Accept_r(request)
        if result < 0 {
            hasOpenRequest = false
            let code = -result
            if code == EAGAIN || code == EINTR || code == ECONNABORTED { return nil }
            throw .acceptFailed(errno: code)
        }
        hasOpenRequest = true
        return FastCGIExchange(request: request, networkPeer: peer, finish: { [unowned self] in self.finish() })
    }

    /// Flushes the answer and closes the connection. libfcgi's own close is a lingering one
    /// (`shutdown`, then reading until nginx closes, up to 2 s), which keeps a peer that is
    /// still sending from getting a reset instead of the answer; it costs three more system
    /// calls and a wait for nginx's turn on the CPU before the worker can take the next
    /// connection. It is needed only when something may still arrive: a connection whose
    /// request body was read to its end (or that had none) and that holds no unread byte is
    /// closed at once.
    private func finish() {
        guard hasOpenRequest else { return }
        hasOpenRequest = false
        let connection = request.pointee.ipcFd
        let closesAtOnce = request.pointee.keepConnection == 0 && requestFullyReceived() && cfcgi_unread_bytes(connection) == 0
        // libfcgi leaves the connection open when asked to keep it (and closes it itself,
        // lingering, should the answer fail to go out).
        if closesAtOnce { request.pointee.keepConnection = 1 }
        FCGX_Finish_r(request)
        if closesAtOnce, request.pointee.ipcFd == connection {
            close(connection)
            request.pointee.ipcFd = -1
        }
    }

    /// Whether nginx has sent all it will: the body was read to its end, or there was none
    /// (nginx sends a bodiless request's parameters and end of input in one write).
    private func requestFullyReceived() -> Bool {
        if let input = request.pointee.in, FCGX_HasSeenEOF(input) == EOF { return true }
        guard let length = FCGX_GetParam("CONTENT_LENGTH", request.pointee.envp) else { return true }
        return length.pointee == 0 || (length.pointee == 0x30 && length.successor().pointee == 0)
    }

    /// The FastCGI listening socket libfcgi would use when run under a launcher that passes
    /// it as fd 0 (spawn-fcgi).
    public static var standardListenFD: Int32 { 0 }
}
