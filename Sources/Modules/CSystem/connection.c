#define _GNU_SOURCE
#include "CSystem.h"
#include <errno.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

int cfcgi_accept_cloexec(int listen_fd) {
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    return fd >= 0 ? fd : -errno;
}

int cfcgi_unread_bytes(int fd) {
    int count = 0;
    return ioctl(fd, FIONREAD, &count) == 0 ? count : -1;
}
