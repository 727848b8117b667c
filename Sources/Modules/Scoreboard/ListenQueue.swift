import CSystem

/// Connections waiting in a pool socket's backlog for a free worker: the kernel's Recv-Q of the
/// listening unix socket (what `ss -xl` shows), which php-fpm reports as 0 on unix sockets.
public enum ListenQueue {
    /// Found by the socket's path, so any process can read any pool's queue; nil when no
    /// listening socket is bound there.
    public static func pending(socketPath: String) -> Int? {
        let queue = cfcgi_unix_listen_queue_path(socketPath)
        return queue >= 0 ? Int(queue) : nil
    }
}
