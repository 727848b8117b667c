# Sourced by bench/run.sh (needs $base, $admin_token, $DATABASE_URL and bench/lib.sh): the
# shop as it is used while it sells.
#
# 1. A catalog mix (bench/catalog-reads.lua, 16 connections): the first listing pages, the
#    pages of a 100-product category, and those 100 products' own pages. Read-only first, then
#    again during two sales of that category's products, bought at random (bench/checkout.lua),
#    so every sale changes what some of the pages read show:
#    - 4 shoppers flat out (no pause between orders): the orders take whatever CPU they can
#      get, so the reads' share falls as checkout gets faster;
#    - a steady sale: 16 shoppers who each pause 150 ms after an order (about 90 orders/s,
#      the pace of the run that filed issue 14: 83), the figure its goal is read against.
#    Reported per sale: read requests/s and p99, the share of read-only, the catalog cache hit
#    ratio (from /api/metrics), orders/s, the checkout p50/p99 (nginx's request time, from its
#    access log), and the read requests each order cost: about the same in both sales when an
#    order costs the reads only its own work (a cache flush per sale would multiply it).
# 2. Checkout throughput at each of $CONNECTIONS: one shopper per connection, spread over the
#    100 products, then all on one product (the hot row); with the CPU the machine spent per
#    order (bench/lib.sh busy_ticks), the part of it each kind of process spent
#    (bench/cpu-by-process.py: PostgreSQL backends, workers, nginx, the Stripe stand-in, …),
#    and the C ceiling measured right before each, so a row from a slow minute of the VM can
#    be told from a slower checkout.

sale_category=$(create /api/categories "{\"name\":\"Bench sale $(date +%s%N)\"}")
sale_category_slug=$(curl -fsS "$base/api/categories/$sale_category" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["slug"])')
sale_products=()
for i in $(seq 1 100); do
  sale_products+=("$(create /api/products "{\"name\":\"Bench sale item $i $(date +%s%N)\",\"description\":\"On sale in the bench\",\"price\":\"$((10 + i % 40)).50\",\"sku\":\"BENCH-SALE-$i-$(date +%s%N)\",\"stockQuantity\":1000000000,\"categoryId\":\"$sale_category\"}")")
done
sale_list=$(IFS=,; echo "${sale_products[*]}")
hot_product=$(create /api/products "{\"name\":\"Bench hot item $(date +%s%N)\",\"description\":\"Bought by every shopper\",\"price\":\"12.50\",\"sku\":\"BENCH-HOT-$(date +%s%N)\",\"stockQuantity\":1000000000}")

read_paths="/api/products,/api/products?page=2,/api/products?category=clothing"
for page in 1 2 3 4 5; do read_paths+=",/api/products?category=$sale_category_slug&page=$page"; done
read_paths+=",/api/products?category=$sale_category_slug&sort=price:asc"
for id in "${sale_products[@]}"; do read_paths+=",/api/products/$id"; done
export BENCH_PATHS=$read_paths

# Every page once, so both runs start from a filled cache.
for path in ${read_paths//,/ }; do curl -fsS -o /dev/null "$base$path"; done

read_only=$(run_vs_ceiling "catalog mix, read-only" "$base/api/products" 16 -s "$ROOT/bench/catalog-reads.lua")
results+=("$read_only")

read_only_rps=$(cut -d'|' -f3 <<<"$read_only")

# One sale beside the catalog mix: its row, and its line of the summary in $sale_line.
sale_beside_reads() { # name shoppers pause-ms
  local name=$1 count=$2 pause=$3 tokens hits_before misses_before orders_before log_offset buyers during
  tokens=$(shoppers "$count")
  hits_before=$(metric cache_requests_total 'cache="catalog",result="hit"')
  misses_before=$(metric cache_requests_total 'cache="catalog",result="(miss|error)"')
  orders_before=$(orders_count)
  log_offset=$(access_log_end)
  BENCH_TOKENS=$tokens BENCH_PRODUCTS=$sale_list BENCH_PAUSE_MS=$pause wrk -t"$count" -c"$count" -d"$DURATION" -s "$ROOT/bench/checkout.lua" "$base/api/orders" > "$STATE/sales-shoppers.txt" &
  buyers=$!
  during=$(run_wrk "catalog mix, $name" "$base/api/products" 16 -s "$ROOT/bench/catalog-reads.lua")
  wait "$buyers" || true
  results+=("$during")
  local orders hits misses p50 p99 rps
  orders=$(( $(orders_count) - orders_before ))
  hits=$(( $(metric cache_requests_total 'cache="catalog",result="hit"') - hits_before ))
  misses=$(( $(metric cache_requests_total 'cache="catalog",result="(miss|error)"') - misses_before ))
  IFS='|' read -r p50 p99 <<<"$(nginx_latency "$log_offset" POST /api/orders 201)"
  rps=$(cut -d'|' -f3 <<<"$during")
  sale_line="$name: catalog mix $rps req/s, $(awk -v a="$rps" -v b="$read_only_rps" 'BEGIN { printf "%.0f", 100 * a / b }') % of read-only;"
  sale_line+=" catalog cache hit ratio $(awk -v h="$hits" -v m="$misses" 'BEGIN { if (h + m > 0) printf "%.1f", 100 * h / (h + m); else printf "?" }') % ($hits hits, $misses misses);"
  sale_line+=" $orders orders in $DURATION ($(awk -v n="$orders" -v d="${DURATION%s}" 'BEGIN { printf "%.0f", n / d }') orders/s), checkout p50 $p50, p99 $p99;"
  sale_line+=" $(awk -v a="$rps" -v b="$read_only_rps" -v n="$orders" -v d="${DURATION%s}" 'BEGIN { if (n > 0) printf "%.0f", (b - a) * d / n; else printf "?" }') read requests lost per order."
}

sale_beside_reads "4 shoppers flat out" 4 0
sales_summary="$sale_line "
sale_beside_reads "a steady sale (16 shoppers, 150 ms pause)" 16 150
sales_summary+="$sale_line Read-only: $read_only_rps req/s."

checkout_summary=""
for c in $CONNECTIONS; do
  tokens=$(shoppers "$c")
  for target in spread hot; do
    products=$([ "$target" = spread ] && echo "$sale_list" || echo "$hot_product")
    # The C ceiling right before, as run_vs_ceiling does, but outside the CPU counted per order.
    ceiling=$(ceiling_now "$c")
    orders_before=$(orders_count)
    log_offset=$(access_log_end)
    busy_before=$(busy_ticks)
    "$ROOT/bench/cpu-by-process.py" snapshot > "$STATE/cpu-before"
    line=$(BENCH_TOKENS=$tokens BENCH_PRODUCTS=$products run_wrk "add to cart + checkout, $target (requests)" "$base/api/orders" "$c" -t"$c" -s "$ROOT/bench/checkout.lua")
    busy=$(( $(busy_ticks) - busy_before ))
    orders=$(( $(orders_count) - orders_before ))
    by_process=$("$ROOT/bench/cpu-by-process.py" since "$STATE/cpu-before" "$orders")
    results+=("$line|$ceiling")
    IFS='|' read -r p50 p99 <<<"$(nginx_latency "$log_offset" POST /api/orders 201)"
    checkout_summary+="$target over $([ "$target" = spread ] && echo 100 || echo 1) product(s), $c shoppers: $orders orders in $DURATION ($(awk -v n="$orders" -v d="${DURATION%s}" 'BEGIN { printf "%.0f", n / d }') orders/s, checkout p50 $p50, p99 $p99, $(awk -v t="$busy" -v n="$orders" -v hz="$(getconf CLK_TCK)" 'BEGIN { if (n > 0) printf "%.2f", 1000 * t / hz / n; else printf "?" }') ms of CPU per order: $by_process; C ceiling just before $ceiling req/s). "
  done
done
# Oversold: a bench product (stock 10^9 when made) whose stock is not 10^9 minus the units of
# its orders that stand.
miscounted=$(psql "$DATABASE_URL" -Atc "
  SELECT count(*) FROM products p WHERE p.sku LIKE 'BENCH-%' AND 1000000000 - p.stock_quantity <> (
    SELECT coalesce(sum(i.quantity), 0) FROM order_items i JOIN orders o ON o.id = i.order_id
    WHERE i.product_id = p.id AND o.status <> 'CANCELLED')")
checkout_summary+="Bench products whose stock does not match their orders afterwards: $miscounted."
