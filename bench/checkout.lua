-- wrk script: each thread is one shopper on one connection (run it with -t equal to -c), so
-- its requests are strictly in turn: add a unit of $BENCH_PRODUCT to the cart, then check
-- out; again and again. $BENCH_TOKENS holds one access token per thread, comma-separated.
local tokens = {}
for token in string.gmatch(os.getenv("BENCH_TOKENS") or "", "[^,]+") do tokens[#tokens + 1] = token end
local next_token = 1

function setup(thread)
  thread:set("token", tokens[next_token])
  next_token = next_token + 1
end

local product = os.getenv("BENCH_PRODUCT")
local add_body = '{"productId":"' .. tostring(product) .. '","quantity":1}'
local order_body = '{"shippingAddress":{"firstName":"Bench","lastName":"Shopper","addressLine1":"1 Main St",'
  .. '"city":"Springfield","state":"IL","postalCode":"62701","country":"US","phone":"+1 217 555 0100"}}'
-- Which request comes next flips on each answer, not on each request() call: wrk calls
-- request() once more on the first thread to check the script, which would otherwise put that
-- shopper's checkout before its add.
local adding = true

function request()
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
  if adding then
    return wrk.format("POST", "/api/cart/items", headers, add_body)
  end
  return wrk.format("POST", "/api/orders", headers, order_body)
end

function response(status, headers, body)
  adding = not adding
end
