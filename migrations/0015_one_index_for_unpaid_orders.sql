-- Issue 14: `orders_pending_idx (created_at) WHERE status = 'PENDING'` was made for the jobs
-- process's scan of the oldest unpaid orders; `orders_status_idx (status, created_at DESC)`
-- answers the same scan (read backwards from the PENDING range), so every order paid one index
-- entry more than it needed at checkout, and again at each change of its status (a status change
-- writes a new entry in every index of `orders`). Dropping an index is a catalog change and a
-- file removed: instant, whatever the table's size.
DROP INDEX IF EXISTS orders_pending_idx;
