/* The FastCGI ceiling: the least a libfcgi worker can do per request (accept, read the
   parameters, write a fixed JSON answer), forked N times on one socket like the pool.
   Build: cc -O2 -o responder responder.c -lfcgi    Run: responder SOCKET WORKERS */
#include <fcgiapp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void serve(int fd) {
    FCGX_Request request;
    FCGX_InitRequest(&request, fd, 0);
    static const char answer[] =
        "Status: 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n\r\n{\"status\":\"ok\"}";
    while (FCGX_Accept_r(&request) >= 0) {
        FCGX_PutStr(answer, sizeof answer - 1, request.out);
        FCGX_Finish_r(&request);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: %s SOCKET WORKERS\n", argv[0]); return 64; }
    FCGX_Init();
    unlink(argv[1]);
    int fd = FCGX_OpenSocket(argv[1], 128);
    if (fd < 0) { perror("FCGX_OpenSocket"); return 1; }
    chmod(argv[1], 0660);
    int workers = atoi(argv[2]);
    for (int i = 0; i < workers; i++) {
        if (fork() == 0) {
            prctl(PR_SET_PDEATHSIG, SIGTERM);   /* leave with the parent, however it ends */
            serve(fd);
            _exit(0);
        }
    }
    signal(SIGTERM, SIG_DFL);
    while (wait(NULL) > 0) {}
    return 0;
}
