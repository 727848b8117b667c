-- wrk script: POST the JSON in $BENCH_BODY to the URL given on the command line.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
