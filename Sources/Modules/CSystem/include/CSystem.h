#ifndef CFCGI_CSYSTEM_H
#define CFCGI_CSYSTEM_H
#include <stdint.h>

/* Signal handling that Swift cannot express safely: handlers here only set
   sig_atomic_t flags; the Swift loops read them between requests. */

/* Worker: SIGTERM/SIGINT/SIGQUIT ask for a drain; SIGPIPE and SIGHUP are ignored. */
void cfcgi_worker_install_signals(void);
int cfcgi_worker_stop_requested(void);

/* Supervisor: the signals below are blocked outside cfcgi_supervisor_wait, so a
   signal that arrives while the loop is busy is never lost. */
enum {
    CFCGI_SIG_CHILD = 1,
    CFCGI_SIG_TERM = 2,
    CFCGI_SIG_HUP = 4,
    CFCGI_SIG_INT = 8,
};
void cfcgi_supervisor_install_signals(void);
/* Sleeps until a signal arrives or timeout_ms passes; returns the flags seen and clears them. */
int cfcgi_supervisor_wait(int timeout_ms);
/* In a freshly forked child: default dispositions and an empty signal mask. */
void cfcgi_child_reset_signals(void);

/* Shared-memory counters: one writer per slot, any number of readers. */
static inline void cfcgi_atomic_add_u64(uint64_t *p, uint64_t v) { __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
static inline uint64_t cfcgi_atomic_load_u64(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static inline void cfcgi_atomic_store_u64(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
static inline uint32_t cfcgi_atomic_load_u32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void cfcgi_atomic_store_u32(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline int cfcgi_atomic_cas_u32(uint32_t *p, uint32_t expected, uint32_t desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
static inline int cfcgi_atomic_cas_u64(uint64_t *p, uint64_t expected, uint64_t desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET. Returns 0 when
   there is no notify socket, 1 when sent, -errno on failure. */
int cfcgi_sd_notify(const char *state);

/* Waiting for a connection on a listening socket that several processes share. Each waiter
   registers with EPOLLEXCLUSIVE, so the kernel wakes one idle worker per connection instead
   of all of them, and epoll_wait still returns at once (EINTR) when a signal arrives.
   cfcgi_exclusive_waiter returns an epoll fd or -errno; cfcgi_wait_readable returns 1 when
   a connection is waiting, 0 on timeout or a signal, -errno on error. */
int cfcgi_exclusive_waiter(int listen_fd);
int cfcgi_wait_readable(int epoll_fd, int timeout_ms);
/* accept4 with SOCK_CLOEXEC (a worker's connection is never inherited by a child it runs):
   the connection's fd, or -errno. */
int cfcgi_accept_cloexec(int listen_fd);
/* Bytes that arrived on a connection and were not read yet (FIONREAD), or -1. */
int cfcgi_unread_bytes(int fd);

/* Pending connections on a listening unix socket (Recv-Q as ss -xl shows it), or -1. */
int cfcgi_unix_listen_queue(int fd);
/* The same for the listening unix socket bound to `path`, found by name: for a process that
   does not hold the socket (metrics of another pool, `commerce-fcgi status`). -1 when none. */
int cfcgi_unix_listen_queue_path(const char *path);



/* stdio globals are not concurrency-safe to name from Swift 6; these wrap them. */
void cfcgi_stdout_line_buffered(void);
void cfcgi_stderr_write(const char *text);
/* The uid of the process at the other end of a connected unix socket (SO_PEERCRED), or -1.
   cfcgi_user_uid: a user name's uid, or -1 when there is no such user. */
long cfcgi_peer_uid(int fd);
long cfcgi_user_uid(const char *name);

#endif
