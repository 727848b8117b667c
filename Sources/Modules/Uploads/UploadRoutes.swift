import Audit
import HTTP

/// API.md §9. Bodies are streamed (`body: .multipart`), never held whole in memory.
public enum UploadRoutes {
    public static func routes<Context: UploadsContext>() -> [Route<Context>] {
        [
            Route(.post, "/api/upload/single", access: .admin, body: .multipart) { request, context in
                let service = UploadService(context: context.app)
                let received = try service.receive(request, fileField: "file", maxFiles: 1, textFields: ["productId", "altText"])
                let productId = try optionalUUID(received.fields["productId"], field: "productId", files: received)
                guard received.files.count == 1 else {
                    throw APIError.validation([FieldError(field: "file", message: "is required")])
                }
                let altText = try altTextField(received)
                return Envelope.success(try service.store(received, productId: productId, altText: altText, by: try context.auditActor(request))[0], status: .created)
            },
            Route(.post, "/api/upload/products", access: .admin, body: .multipart) { request, context in
                let service = UploadService(context: context.app)
                let received = try service.receive(request, fileField: "files", maxFiles: 10, textFields: ["productId", "altText"])
                guard let productId = try optionalUUID(received.fields["productId"], field: "productId", files: received) else {
                    received.files.forEach { $0.file.abandon() }
                    throw APIError.validation([FieldError(field: "productId", message: "is required")])
                }
                guard !received.files.isEmpty else { throw APIError.validation([FieldError(field: "files", message: "needs 1 to 10 files")]) }
                let altText = try altTextField(received)
                return Envelope.success(
                    JSONValue.array(try service.store(received, productId: productId, altText: altText, by: try context.auditActor(request)).map(\.json)), status: .created)
            },
            Route(.delete, "/api/upload/*filepath", access: .admin) { request, context in
                let prefix = "/api/upload/"
                try UploadService(context: context.app).delete(rawPath: String(request.rawPath.dropFirst(prefix.count)), by: try context.auditActor(request))
                return Envelope.success(nil)
            },
        ]
    }

    private static func optionalUUID(_ text: String?, field: String, files: UploadReceiver.Received) throws -> String? {
        guard let text, !text.isEmpty else { return nil }
        guard UUIDText.isValid(text) else {
            files.files.forEach { $0.file.abandon() }
            throw APIError.validation([FieldError(field: field, message: "must be a UUID")])
        }
        return text.lowercased()
    }

    private static func altTextField(_ received: UploadReceiver.Received) throws -> String? {
        guard let text = received.fields["altText"], !text.isEmpty else { return nil }
        guard text.unicodeScalars.count <= 255, !text.utf8.contains(0) else {
            received.files.forEach { $0.file.abandon() }
            throw APIError.validation([FieldError(field: "altText", message: "must be at most 255 characters")])
        }
        return text
    }
}
