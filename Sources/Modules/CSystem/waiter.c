#include "CSystem.h"
#include <errno.h>
#include <sys/epoll.h>

int cfcgi_exclusive_waiter(int listen_fd) {
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) return -errno;
    struct epoll_event event = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = listen_fd };
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &event) != 0) return -errno;
    return epfd;
}

int cfcgi_wait_readable(int epoll_fd, int timeout_ms) {
    struct epoll_event event;
    int n = epoll_wait(epoll_fd, &event, 1, timeout_ms);
    if (n < 0) return errno == EINTR ? 0 : -errno;
    return n;
}
