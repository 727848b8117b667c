#include <zlib.h>

/* deflateInit2 is a macro over deflateInit2_ (it passes the version and struct size), which
   Swift cannot import; this is the same call as a function. */
static inline int cfcgi_deflate_init_gzip(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16 /* gzip wrapper */, 8, Z_DEFAULT_STRATEGY);
}
