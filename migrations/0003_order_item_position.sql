-- An order's items in the order the customer put them in the cart. Items are written in one
-- statement, so created_at ties and a random uuid cannot order them.
ALTER TABLE order_items ADD COLUMN position integer NOT NULL DEFAULT 0 CHECK (position >= 0);
DROP INDEX order_items_order_idx;
CREATE INDEX order_items_order_idx ON order_items (order_id, position);
