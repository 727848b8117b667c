-- API.md §12.1 and §12.2: carts a guest holds by token, and coupons whose limits hold under
-- any number of concurrent checkouts.

-- A cart belongs to a user or to a guest token (only its SHA-256 is kept), never both.
ALTER TABLE carts ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE carts ADD COLUMN guest_token_hash bytea UNIQUE;
ALTER TABLE carts ADD CONSTRAINT carts_one_owner CHECK ((user_id IS NULL) <> (guest_token_hash IS NULL));
-- The jobs process deletes guest carts idle past GUEST_CART_TTL, oldest first.
CREATE INDEX carts_guest_idle_idx ON carts (updated_at) WHERE user_id IS NULL;

CREATE TABLE coupons (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Stored upper-case, so the unique index is unique ignoring case.
    code                      varchar(64) NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9_-]{3,64}$'),
    type                      text NOT NULL CHECK (type IN ('percentage', 'fixed')),
    -- A whole percentage 1–100, or money.
    value                     numeric(10,2) NOT NULL CHECK (value > 0),
    min_subtotal              numeric(10,2) CHECK (min_subtotal >= 0),
    starts_at                 timestamptz,
    ends_at                   timestamptz,
    max_redemptions           integer CHECK (max_redemptions > 0),
    max_redemptions_per_user  integer CHECK (max_redemptions_per_user > 0),
    -- Live redemptions: counted by checkout, given back by a cancel (coupon_redemptions).
    redemptions               integer NOT NULL DEFAULT 0 CHECK (redemptions >= 0),
    is_active                 boolean NOT NULL DEFAULT true,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT coupons_percentage_whole CHECK (type <> 'percentage' OR (value <= 100 AND value = trunc(value))),
    CONSTRAINT coupons_window CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at)
);

-- One row per order that used a coupon; `released_at` once the order was cancelled. Kept, so a
-- coupon that was ever redeemed is never deleted (the FK refuses it).
CREATE TABLE coupon_redemptions (
    order_id     uuid PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    coupon_id    uuid NOT NULL REFERENCES coupons (id) ON DELETE RESTRICT,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    released_at  timestamptz
);
CREATE INDEX coupon_redemptions_live_idx ON coupon_redemptions (coupon_id, user_id) WHERE released_at IS NULL;

ALTER TABLE carts ADD COLUMN coupon_id uuid REFERENCES coupons (id) ON DELETE SET NULL;

ALTER TABLE orders ADD COLUMN coupon_code varchar(64);
ALTER TABLE orders ADD COLUMN discount numeric(10,2) NOT NULL DEFAULT 0 CHECK (discount >= 0 AND discount <= subtotal);
-- The discount comes off before tax (API.md §12.2).
ALTER TABLE orders DROP CONSTRAINT orders_total_adds_up;
ALTER TABLE orders ADD CONSTRAINT orders_total_adds_up CHECK (total = subtotal - discount + tax + shipping);
