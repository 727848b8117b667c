-- CommerceFCGI: the whole data model. Money is NUMERIC(10,2) here and integer cents in
-- Swift; every rule the code relies on is also a constraint, so a bug cannot store it.
-- Applied by `commerce-fcgi migrate` in one transaction; never edit it once landed.

CREATE TABLE users (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email           varchar(254) NOT NULL,
    password_hash   text NOT NULL,
    first_name      varchar(100) NOT NULL,
    last_name       varchar(100) NOT NULL,
    role            text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    is_active       boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_lowercase CHECK (email = lower(email))
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_role_idx ON users (role) WHERE is_active;
CREATE INDEX users_created_at_idx ON users (created_at DESC, id);

-- A session is one login: the chain of refresh tokens it rotates through.
CREATE TABLE sessions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    revoked_reason  text,
    user_agent      varchar(255),
    ip_address      varchar(64)
);
CREATE INDEX sessions_user_active_idx ON sessions (user_id) WHERE revoked_at IS NULL;

-- Only the SHA-256 of a refresh token is stored: a database leak yields no usable token.
CREATE TABLE refresh_tokens (
    id              uuid PRIMARY KEY,                 -- the token's jti
    session_id      uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash      bytea NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    rotated_at      timestamptz,                      -- set when exchanged; a second use is theft
    revoked_at      timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at);

CREATE TABLE password_reset_tokens (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash      bytea NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz
);
CREATE INDEX password_reset_tokens_user_idx ON password_reset_tokens (user_id);

CREATE TABLE addresses (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type            text NOT NULL CHECK (type IN ('shipping', 'billing')),
    first_name      varchar(100) NOT NULL,
    last_name       varchar(100) NOT NULL,
    address_line1   varchar(255) NOT NULL,
    address_line2   varchar(255),
    city            varchar(255) NOT NULL,
    state           varchar(255) NOT NULL,
    postal_code     varchar(255) NOT NULL,
    country         char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    phone           varchar(255) NOT NULL,
    is_default      boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX addresses_user_idx ON addresses (user_id, created_at);
-- One default per user and type.
CREATE UNIQUE INDEX addresses_one_default_idx ON addresses (user_id, type) WHERE is_default;

CREATE TABLE categories (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name            varchar(200) NOT NULL,
    slug            varchar(255) NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    description     text CHECK (char_length(description) <= 10000),
    parent_id       uuid REFERENCES categories (id) ON DELETE RESTRICT,
    is_active       boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT categories_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE UNIQUE INDEX categories_name_key ON categories (lower(name));
CREATE UNIQUE INDEX categories_slug_key ON categories (slug);
CREATE INDEX categories_parent_idx ON categories (parent_id);

CREATE TABLE products (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name              varchar(200) NOT NULL,
    slug              varchar(255) NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    description       text NOT NULL DEFAULT '' CHECK (char_length(description) <= 10000),
    price             numeric(10,2) NOT NULL CHECK (price >= 0),
    compare_at_price  numeric(10,2) CHECK (compare_at_price >= 0),
    sku               varchar(255) NOT NULL,
    stock_quantity    integer NOT NULL DEFAULT 0 CHECK (stock_quantity >= 0),
    is_active         boolean NOT NULL DEFAULT true,
    category_id       uuid REFERENCES categories (id) ON DELETE RESTRICT,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    -- Full-text search over name, SKU (weighted high) and description.
    search            tsvector GENERATED ALWAYS AS (
                          setweight(to_tsvector('simple', coalesce(name, '')), 'A') ||
                          setweight(to_tsvector('simple', coalesce(sku, '')), 'A') ||
                          setweight(to_tsvector('english', coalesce(description, '')), 'C')
                      ) STORED
);
CREATE UNIQUE INDEX products_sku_key ON products (sku);
CREATE UNIQUE INDEX products_slug_key ON products (slug);
CREATE INDEX products_search_idx ON products USING gin (search);
CREATE INDEX products_category_idx ON products (category_id, created_at DESC) WHERE is_active;
CREATE INDEX products_created_idx ON products (created_at DESC, id) WHERE is_active;
CREATE INDEX products_price_idx ON products (price, id) WHERE is_active;
CREATE INDEX products_name_idx ON products (name, id) WHERE is_active;
CREATE INDEX products_in_stock_idx ON products (created_at DESC, id) WHERE is_active AND stock_quantity > 0;

CREATE TABLE product_images (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    product_id      uuid REFERENCES products (id) ON DELETE CASCADE,
    path            varchar(255) NOT NULL UNIQUE,     -- relative to UPLOAD_DIR, e.g. 2026/11/<uuid>.jpg
    filename        varchar(255) NOT NULL,            -- the client's name, sanitised, for display
    alt_text        varchar(255),
    position        integer NOT NULL DEFAULT 0 CHECK (position >= 0),
    size_bytes      bigint NOT NULL CHECK (size_bytes > 0),
    mime_type       text NOT NULL CHECK (mime_type IN ('image/jpeg', 'image/png', 'image/webp', 'image/gif')),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX product_images_product_idx ON product_images (product_id, position);

CREATE TABLE carts (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cart_items (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    cart_id         uuid NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    product_id      uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    quantity        integer NOT NULL CHECK (quantity BETWEEN 1 AND 999),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cart_items_one_line_per_product UNIQUE (cart_id, product_id)
);
CREATE INDEX cart_items_product_idx ON cart_items (product_id);

CREATE SEQUENCE order_number_seq START 100001;

CREATE TABLE orders (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_number        varchar(32) NOT NULL UNIQUE,
    user_id             uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    status              text NOT NULL DEFAULT 'PENDING'
                        CHECK (status IN ('PENDING', 'PAID', 'PROCESSING', 'SHIPPED', 'DELIVERED', 'CANCELLED')),
    payment_status      text NOT NULL DEFAULT 'PENDING'
                        CHECK (payment_status IN ('PENDING', 'SUCCEEDED', 'FAILED', 'REFUNDED')),
    subtotal            numeric(10,2) NOT NULL CHECK (subtotal >= 0),
    tax                 numeric(10,2) NOT NULL CHECK (tax >= 0),
    shipping            numeric(10,2) NOT NULL CHECK (shipping >= 0),
    total               numeric(10,2) NOT NULL CHECK (total >= 0),
    currency            char(3) NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
    shipping_address    jsonb NOT NULL,
    billing_address     jsonb NOT NULL,
    payment_intent_id   varchar(255) UNIQUE,
    client_secret       varchar(255),
    paid_at             timestamptz,
    cancelled_at        timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orders_total_adds_up CHECK (total = subtotal + tax + shipping)
);
CREATE INDEX orders_user_idx ON orders (user_id, created_at DESC);
CREATE INDEX orders_status_idx ON orders (status, created_at DESC);
CREATE INDEX orders_created_idx ON orders (created_at DESC, id);
-- The jobs process finds unpaid orders past ORDER_PAYMENT_TIMEOUT through this.
CREATE INDEX orders_pending_idx ON orders (created_at) WHERE status = 'PENDING';

-- Items keep the product as it was at checkout.
CREATE TABLE order_items (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id            uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id          uuid NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    product_name        varchar(200) NOT NULL,
    product_sku         varchar(255) NOT NULL,
    unit_price          numeric(10,2) NOT NULL CHECK (unit_price >= 0),
    quantity            integer NOT NULL CHECK (quantity > 0),
    line_total          numeric(10,2) NOT NULL CHECK (line_total >= 0),
    product_snapshot    jsonb NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_items_order_idx ON order_items (order_id);
CREATE INDEX order_items_product_idx ON order_items (product_id);

CREATE TABLE payments (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id            uuid NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
    provider            text NOT NULL DEFAULT 'stripe',
    payment_intent_id   varchar(255) NOT NULL UNIQUE,
    amount_cents        bigint NOT NULL CHECK (amount_cents >= 0),
    currency            char(3) NOT NULL,
    status              text NOT NULL,
    refund_id           varchar(255),
    idempotency_key     varchar(255) NOT NULL,
    last_error          text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_order_idx ON payments (order_id);

-- Each Stripe event takes effect once: its id is inserted in the same transaction as its effect.
CREATE TABLE stripe_events (
    id                  varchar(255) PRIMARY KEY,
    type                varchar(255) NOT NULL,
    payment_intent_id   varchar(255),
    payload             jsonb NOT NULL,
    received_at         timestamptz NOT NULL DEFAULT now(),
    processed_at        timestamptz
);
CREATE INDEX stripe_events_intent_idx ON stripe_events (payment_intent_id);

-- Mail written in the same transaction as its cause; the jobs process sends it.
CREATE TABLE email_outbox (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    template            varchar(64) NOT NULL,
    to_address          varchar(254) NOT NULL,
    subject             varchar(255) NOT NULL,
    body_text           text NOT NULL,
    status              text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts            integer NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    last_error          text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    sent_at             timestamptz
);
CREATE INDEX email_outbox_due_idx ON email_outbox (next_attempt_at) WHERE status = 'pending';

-- Replays of POST /api/orders and create-payment-intent (API.md §1, idempotency).
CREATE TABLE idempotency_keys (
    user_id             uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope               varchar(64) NOT NULL,
    key                 varchar(255) NOT NULL,
    request_hash        bytea NOT NULL,
    state               text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done')),
    response_status     integer,
    response_body       bytea,
    created_at          timestamptz NOT NULL DEFAULT now(),
    completed_at        timestamptz,
    PRIMARY KEY (user_id, scope, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
