-- wrk script: a storefront's catalog reads. Each request is one of $BENCH_PATHS
-- (comma-separated), picked at random: listings, category pages and the product pages of the
-- products on sale. $BENCH_ACCEPT_ENCODING, when set, is sent as Accept-Encoding.
local paths = {}
for path in string.gmatch(os.getenv("BENCH_PATHS") or "/api/products", "[^,]+") do paths[#paths + 1] = path end
local headers = {}
if os.getenv("BENCH_ACCEPT_ENCODING") then headers["Accept-Encoding"] = os.getenv("BENCH_ACCEPT_ENCODING") end
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
end

function request()
  return wrk.format("GET", paths[math.random(#paths)], headers)
end
