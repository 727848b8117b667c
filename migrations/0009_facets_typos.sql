-- API.md §12.3: typo-tolerant search and suggestions.

-- pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it. On
-- Debian it comes with the server package (postgresql-contrib is part of postgresql-15).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The words of product names a search may have meant (5 letters or more, lower-case, letters
-- only: numbers are never corrected): a few thousand rows even for a large catalog, so a
-- misspelt word is matched against these by trigram, never against every product. Words are added as names are written and never
-- removed: a word no product has any more only costs a correction that finds nothing.
CREATE TABLE product_words (
    word  text PRIMARY KEY CHECK (word = lower(word) AND length(word) >= 5)
);
CREATE INDEX product_words_trgm_idx ON product_words USING gin (word gin_trgm_ops);

-- New products are learnt per statement (a bulk load of 100,000 rows runs this once); a renamed
-- one per row, and only when the name really changed, so stock updates never come here.
CREATE FUNCTION product_words_learn_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO product_words (word)
    SELECT DISTINCT w FROM new_products, regexp_split_to_table(lower(name), '[^[:alpha:]]+') AS w WHERE length(w) >= 5
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
CREATE TRIGGER products_learn_inserted_words AFTER INSERT ON products
    REFERENCING NEW TABLE AS new_products FOR EACH STATEMENT EXECUTE FUNCTION product_words_learn_inserted();

CREATE FUNCTION product_words_learn_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO product_words (word)
    SELECT DISTINCT w FROM regexp_split_to_table(lower(NEW.name), '[^[:alpha:]]+') AS w WHERE length(w) >= 5
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
CREATE TRIGGER products_learn_renamed_words AFTER UPDATE OF name ON products
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION product_words_learn_renamed();

INSERT INTO product_words (word)
SELECT DISTINCT w FROM products, regexp_split_to_table(lower(name), '[^[:alpha:]]+') AS w WHERE length(w) >= 5
ON CONFLICT DO NOTHING;

-- Suggestions: names starting with what was typed, in name order, from an index.
CREATE INDEX products_name_prefix_idx ON products (lower(name) text_pattern_ops);
