-- Issue 14: `orders_pending_idx (created_at) WHERE status = 'PENDING'` was made for the jobs
-- process's scan of the oldest unpaid orders; `orders_status_idx (status, created_at DESC)`
-- answers the same scan (read backwards from the PENDING range), so every order paid one index
-- entry more than it needed at checkout, and again at each change of its status (a status change
-- writes a new entry in every index of `orders`). Dropping an index is a catalog change and a
-- file removed: instant, whatever the table's size. But it needs `orders` to itself for that
-- instant, and while it waits for a long transaction on the table (a report) to end, every
-- checkout queues behind it: it gives up after a second instead (below the workers' own
-- DB_LOCK_TIMEOUT, 2 s by default), the migration fails and is run again at a quieter moment.
-- The service works the same with the index or without it.
SET LOCAL lock_timeout = '1s';
DROP INDEX IF EXISTS orders_pending_idx;
