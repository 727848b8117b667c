#define _GNU_SOURCE
#include "CSystem.h"
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t worker_stop = 0;

static void on_worker_stop(int sig) { (void)sig; worker_stop = 1; }

void cfcgi_worker_install_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_worker_stop;
    /* SA_RESTART: a drain request must not break the read or write of the request in
       flight (libfcgi treats EINTR as a stream error). The accept loop waits in
       epoll_wait() (waiter.c), which returns EINTR even with SA_RESTART, so the flag is
       still seen at once. */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    /* A launcher may have left these blocked (the mask survives exec); a worker that
       cannot see SIGTERM would only ever die by SIGKILL. */
    sigset_t drain;
    sigemptyset(&drain);
    sigaddset(&drain, SIGTERM);
    sigaddset(&drain, SIGINT);
    sigaddset(&drain, SIGQUIT);
    sigprocmask(SIG_UNBLOCK, &drain, NULL);
}

int cfcgi_worker_stop_requested(void) { return worker_stop != 0; }

static volatile sig_atomic_t supervisor_flags = 0;

static void on_supervisor_signal(int sig) {
    switch (sig) {
    case SIGCHLD: supervisor_flags |= CFCGI_SIG_CHILD; break;
    case SIGTERM: supervisor_flags |= CFCGI_SIG_TERM; break;
    case SIGQUIT: supervisor_flags |= CFCGI_SIG_TERM; break;
    case SIGINT: supervisor_flags |= CFCGI_SIG_INT; break;
    case SIGHUP: supervisor_flags |= CFCGI_SIG_HUP; break;
    }
}

static const int supervisor_signals[] = { SIGCHLD, SIGTERM, SIGQUIT, SIGINT, SIGHUP };

void cfcgi_supervisor_install_signals(void) {
    sigset_t block;
    sigemptyset(&block);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_supervisor_signal;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    for (unsigned i = 0; i < sizeof supervisor_signals / sizeof supervisor_signals[0]; i++) {
        sigaction(supervisor_signals[i], &sa, NULL);
        sigaddset(&block, supervisor_signals[i]);
    }
    signal(SIGPIPE, SIG_IGN);
    sigprocmask(SIG_BLOCK, &block, NULL);
}

int cfcgi_supervisor_wait(int timeout_ms) {
    if (supervisor_flags == 0) {
        sigset_t none;
        sigemptyset(&none);
        struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };
        /* ppoll swaps in the empty mask atomically: a signal blocked until now is
           delivered here rather than slipping in between the check and the sleep. */
        ppoll(NULL, 0, &ts, &none);
    }
    sigset_t block, old;
    sigfillset(&block);
    sigprocmask(SIG_BLOCK, &block, &old);
    int flags = supervisor_flags;
    supervisor_flags = 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
    return flags;
}

void cfcgi_child_reset_signals(void) {
    for (unsigned i = 0; i < sizeof supervisor_signals / sizeof supervisor_signals[0]; i++)
        signal(supervisor_signals[i], SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}
