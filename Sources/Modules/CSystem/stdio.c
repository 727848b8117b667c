#include "CSystem.h"
#include <stdio.h>

void cfcgi_stdout_line_buffered(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

void cfcgi_stderr_write(const char *text) { fputs(text, stderr); fflush(stderr); }
