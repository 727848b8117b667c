#if canImport(Glibc)
import Glibc
#endif

/// The sd_listen_fds(3) protocol without libsystemd: systemd (or systemd-socket-activate)
/// passes listening sockets from fd 3 and says so in LISTEN_PID / LISTEN_FDS.
public enum SystemdSocket {
    public static let firstFD: Int32 = 3

    /// The first inherited socket, or nil when this process was not given one. The variables
    /// are removed so that nothing this process starts believes it was given them too.
    public static func inheritedListenFD() -> Int32? {
        defer {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_FDNAMES")
        }
        guard let pidText = getenv("LISTEN_PID").map({ String(cString: $0) }), let pid = Int32(pidText), pid == getpid(),
            let countText = getenv("LISTEN_FDS").map({ String(cString: $0) }), let count = Int(countText), count >= 1
        else { return nil }
        let fd = firstFD
        let flags = fcntl(fd, F_GETFD)
        if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        return fd
    }
}
