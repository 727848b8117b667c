import Postgres

/// All SQL of uploads: the `product_images` rows that record every stored file.
public enum UploadStore {
    static func productExists(_ id: String, on db: PostgresClient) throws -> Bool {
        try db.query("SELECT 1 FROM products WHERE id = \(bind: id)").rowCount == 1
    }

    /// Records a stored file, appended after the product's images; its id.
    @discardableResult
    public static func insert(path: String, filename: String, size: Int, mimeType: String, productId: String?, altText: String?, on db: PostgresClient) throws -> String {
        try db.query(
            """
            INSERT INTO product_images (product_id, path, filename, alt_text, position, size_bytes, mime_type)
            VALUES (\(bind: productId), \(bind: path), \(bind: filename), \(bind: altText), coalesce((SELECT max(position) + 1 FROM product_images WHERE product_id = \(bind: productId)), 0), \(bind: size), \(bind: mimeType))
            RETURNING id
            """
        ).single().decode("id", as: String.self)
    }

    /// Removes the record of `path`; false when there is none.
    static func delete(path: String, on db: PostgresClient) throws -> Bool {
        try db.query("DELETE FROM product_images WHERE path = \(bind: path)").affectedRows == 1
    }
}
