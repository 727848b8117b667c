-- wrk script: each thread is one shopper on one connection (run it with -t equal to -c), so
-- its requests are strictly in turn: add a unit of a product to the cart, then check out;
-- again and again, pausing $BENCH_PAUSE_MS (default 0) after each checkout before the next add.
-- $BENCH_TOKENS holds one access token per thread, comma-separated;
-- $BENCH_PRODUCTS the products (comma-separated): each add takes one of them at random, so
-- with one product every checkout queues on that row's lock, with a hundred they spread.
local tokens = {}
for token in string.gmatch(os.getenv("BENCH_TOKENS") or "", "[^,]+") do tokens[#tokens + 1] = token end
local next_token = 1

function setup(thread)
  thread:set("token", tokens[next_token])
  thread:set("seed", next_token)
  next_token = next_token + 1
end

local products = {}
for product in string.gmatch(os.getenv("BENCH_PRODUCTS") or "", "[^,]+") do products[#products + 1] = product end
local order_body = '{"shippingAddress":{"firstName":"Bench","lastName":"Shopper","addressLine1":"1 Main St",'
  .. '"city":"Springfield","state":"IL","postalCode":"62701","country":"US","phone":"+1 217 555 0100"}}'
-- Which request comes next flips on each answer, not on each request() call: wrk calls
-- request() once more on the first thread to check the script, which would otherwise put that
-- shopper's checkout before its add.
local adding = true

function init(args)
  -- Each thread its own sequence, so shoppers do not all pick the same products in step.
  math.randomseed(os.time() * 1000 + (seed or 0))
end

function request()
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
  if adding then
    local product = products[math.random(#products)]
    return wrk.format("POST", "/api/cart/items", headers, '{"productId":"' .. product .. '","quantity":1}')
  end
  return wrk.format("POST", "/api/orders", headers, order_body)
end

local pause = tonumber(os.getenv("BENCH_PAUSE_MS") or "0") or 0

-- wrk waits this many milliseconds before sending the next request: a shopper's pause between
-- one order and the next.
function delay()
  if adding then return pause end
  return 0
end

function response(status, headers, body)
  adding = not adding
end
