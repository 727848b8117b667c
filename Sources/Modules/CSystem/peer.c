#define _GNU_SOURCE
#include "CSystem.h"
#include <sys/socket.h>
#include <pwd.h>
#include <stddef.h>

long cfcgi_peer_uid(int fd) {
    struct ucred credentials;
    socklen_t length = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    return (long)credentials.uid;
}

long cfcgi_user_uid(const char *name) {
    struct passwd entry;
    struct passwd *found = NULL;
    char buffer[4096];
    if (getpwnam_r(name, &entry, buffer, sizeof buffer, &found) != 0 || found == NULL) return -1;
    return (long)found->pw_uid;
}
