#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call;
   these typed wrappers are the only way the Swift side sets options. */
static inline CURLcode cfcgi_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cfcgi_curl_setopt_ptr(CURL *h, CURLoption o, const void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cfcgi_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
typedef size_t (*cfcgi_curl_data_fn)(char *, size_t, size_t, void *);
static inline CURLcode cfcgi_curl_setopt_fn(CURL *h, CURLoption o, cfcgi_curl_data_fn v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cfcgi_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode cfcgi_curl_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }
