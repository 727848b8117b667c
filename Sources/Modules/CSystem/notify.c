#define _GNU_SOURCE
#include "CSystem.h"
#include <errno.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int cfcgi_sd_notify(const char *state) {
    const char *path = getenv("NOTIFY_SOCKET");
    if (path == NULL || path[0] == '\0') return 0;
    size_t len = strlen(path);
    struct sockaddr_un addr;
    if (len >= sizeof addr.sun_path) return -EINVAL;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, path, len);
    if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';   /* abstract namespace */
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    ssize_t sent = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
                          (struct sockaddr *)&addr, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
    int err = errno;
    close(fd);
    return sent < 0 ? -err : 1;
}

/* Asks sock_diag for the listening socket's queue: for a LISTEN unix socket the
   kernel reports pending connections in udiag_rqlen (what ss -xl shows as Recv-Q).
   php-fpm's "listen queue" is always 0 on unix sockets; this is the real figure. */
/* Opens a sock_diag socket and sends it a request for LISTEN unix sockets: the one with
   inode `ino` (a dump of all when `flags` has NLM_F_DUMP), showing `show`. The socket to
   read the answer from, or -1. */
static int cfcgi_unix_diag_request(unsigned flags, unsigned ino, unsigned show) {
    int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (nl < 0) return -1;
    struct {
        struct nlmsghdr nlh;
        struct unix_diag_req req;
    } msg;
    memset(&msg, 0, sizeof msg);
    msg.nlh.nlmsg_len = sizeof msg;
    msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nlh.nlmsg_flags = NLM_F_REQUEST | flags;
    msg.req.sdiag_family = AF_UNIX;
    msg.req.udiag_states = 1 << 10; /* TCP_LISTEN */
    msg.req.udiag_ino = ino;
    if (!(flags & NLM_F_DUMP)) msg.req.udiag_cookie[0] = msg.req.udiag_cookie[1] = ~0U;
    msg.req.udiag_show = show;
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    if (sendto(nl, &msg, sizeof msg, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) { close(nl); return -1; }
    return nl;
}

int cfcgi_unix_listen_queue(int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0) return -1;
    int nl = cfcgi_unix_diag_request(0, (unsigned)st.st_ino, UDIAG_SHOW_RQLEN);
    if (nl < 0) return -1;
    char buf[8192];
    ssize_t n = recv(nl, buf, sizeof buf, 0);
    close(nl);
    if (n <= 0) return -1;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
        if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) return -1;
        struct unix_diag_msg *m = NLMSG_DATA(h);
        int rtalen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *m));
        for (struct rtattr *a = (struct rtattr *)(m + 1); RTA_OK(a, rtalen); a = RTA_NEXT(a, rtalen)) {
            if (a->rta_type == UNIX_DIAG_RQLEN) {
                struct unix_diag_rqlen *q = RTA_DATA(a);
                return (int)q->udiag_rqueue;
            }
        }
    }
    return -1;
}

int cfcgi_unix_listen_queue_path(const char *path) {
    size_t path_len = strlen(path);
    int nl = cfcgi_unix_diag_request(NLM_F_DUMP, 0, UDIAG_SHOW_NAME | UDIAG_SHOW_RQLEN);
    if (nl < 0) return -1;
    int found = -1;
    char buf[32768];
    for (;;) {
        ssize_t n = recv(nl, buf, sizeof buf, 0);
        if (n <= 0) break;
        int done = 0;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) { done = 1; break; }
            if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
            struct unix_diag_msg *m = NLMSG_DATA(h);
            int rtalen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *m));
            int matches = 0, queue = -1;
            for (struct rtattr *a = (struct rtattr *)(m + 1); RTA_OK(a, rtalen); a = RTA_NEXT(a, rtalen)) {
                if (a->rta_type == UNIX_DIAG_NAME) {
                    size_t len = RTA_PAYLOAD(a);
                    const char *name = RTA_DATA(a);
                    while (len > 0 && name[len - 1] == '\0') len--;
                    matches = len == path_len && memcmp(name, path, len) == 0;
                } else if (a->rta_type == UNIX_DIAG_RQLEN) {
                    queue = (int)((struct unix_diag_rqlen *)RTA_DATA(a))->udiag_rqueue;
                }
            }
            if (matches && found < 0) found = queue;
        }
        if (done) break;
    }
    close(nl);
    return found;
}
