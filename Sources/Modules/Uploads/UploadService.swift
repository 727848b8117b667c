import Audit
import Catalog
import Crypto
import HTTP
import Postgres

/// API.md §9: images stored under generated names, recorded in `product_images`, and linked
/// to a product when one is named. Files are renamed into place only after the database row
/// exists in a committed transaction's scope; any failure removes them.
struct UploadService<Context: UploadsContext> {
    let context: Context

    struct StoredImage: JSONRepresentable {
        let path: String
        let filename: String
        let size: Int
        let kind: ImageKind
        let productImageId: String?

        var json: JSONValue {
            .object([
                "path": .string(path), "url": .string("/uploads/" + path), "filename": .string(filename), "size": .int(size),
                "mimeType": .string(kind.mimeType), "productImageId": productImageId.map(JSONValue.string) ?? .null,
            ])
        }
    }

    var storage: UploadStorage { UploadStorage(root: context.uploadDirectory) }

    func receive(_ request: Request, fileField: String, maxFiles: Int, textFields: Set<String>) throws -> UploadReceiver.Received {
        let folder = try storage.monthFolder(epochMilliseconds: context.clock.epochMilliseconds())
        let receiver = UploadReceiver(
            storage: storage, folder: folder, maxFileBytes: context.uploadMaxBytes,
            fileFields: [fileField], textFields: textFields, maxFiles: maxFiles)
        return try receiver.receive(request)
    }

    /// Stores every received file, linking each to `productId` when given.
    func store(_ received: UploadReceiver.Received, productId: String?, altText: String?, by actor: AuditActor) throws -> [StoredImage] {
        let folder = try storage.monthFolder(epochMilliseconds: context.clock.epochMilliseconds())
        var committed: [String] = []
        do {
            let images: [StoredImage] = try context.database.withTransaction { db in
                if let productId, try !UploadStore.productExists(productId, on: db) {
                    throw APIError.validation([FieldError(field: "productId", message: "does not exist")])
                }
                var images: [StoredImage] = []
                for file in received.files {
                    let path = folder + "/" + (try UUIDGenerator.random()) + "." + file.kind.fileExtension
                    // Nothing about where or with what a photo was taken is published with it.
                    try file.file.rewrite { ImageMetadata.stripped($0, kind: file.kind) }
                    let size = file.file.size
                    let id = try UploadStore.insert(
                        path: path, filename: file.filename, size: size, mimeType: file.kind.mimeType,
                        productId: productId, altText: altText, on: db)
                    try storage.commit(file.file, as: path)
                    committed.append(path)
                    let image = StoredImage(path: path, filename: file.filename, size: size, kind: file.kind, productImageId: productId == nil ? nil : id)
                    try AuditLog.record(actor, action: "upload.create", entityType: "upload", entityId: path, after: image.json, on: db)
                    images.append(image)
                }
                return images
            }
            if productId != nil { context.catalogCache.bump() }
            return images
        } catch {
            received.files.forEach { $0.file.abandon() }
            committed.forEach { storage.remove($0) }
            throw error
        }
    }

    /// `DELETE /api/upload/:filepath`.
    func delete(rawPath: String, by actor: AuditActor) throws {
        guard let decoded = PercentDecoding.decode(rawPath), !decoded.contains("\0"), !decoded.hasPrefix("/"),
            !decoded.split(separator: "/").contains(".."), UploadStorage.isGeneratedPath(decoded)
        else { throw APIError.validation([FieldError(field: "filepath", message: "must be a path as returned by an upload, like 2026/11/<uuid>.jpg")]) }
        let existed = try context.database.withTransaction { db in
            guard try UploadStore.delete(path: decoded, on: db) else { return false }
            try AuditLog.record(actor, action: "upload.delete", entityType: "upload", entityId: decoded, before: .object(["path": .string(decoded)]), on: db)
            return true
        }
        guard existed else { throw APIError.notFound("Upload not found") }
        storage.remove(decoded)
        context.catalogCache.bump()
    }
}
