-- wrk script: POST the bytes of the file $BENCH_BODY_FILE (too large for an environment
-- variable) as JSON to the URL given on the command line.
local file = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
wrk.body = file:read("*a")
file:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
