import Crypto
import HTTP

/// Reads a multipart upload from the body stream: file parts go to temporary files as they
/// arrive (checked by their first bytes and their size), small text fields are kept. On any
/// refusal every file of the request is abandoned.
struct UploadReceiver {
    struct ReceivedFile {
        let field: String
        let filename: String
        let kind: ImageKind
        let file: UploadStorage.PendingFile
    }

    struct Received {
        var files: [ReceivedFile] = []
        var fields: [String: String] = [:]
    }

    let storage: UploadStorage
    let folder: String
    let maxFileBytes: Int
    let fileFields: Set<String>
    let textFields: Set<String>
    let maxFiles: Int
    static let maxFieldBytes = 1024
    static let chunkSize = 64 * 1024

    func receive(_ request: Request) throws -> Received {
        guard let contentType = request.headers["content-type"], let boundary = MultipartParser.boundary(contentType: contentType) else {
            throw APIError.badRequest("multipart/form-data needs a boundary")
        }
        guard let stream = request.bodyStream else { throw APIError.badRequest("No body") }
        var parser: MultipartParser
        do { parser = try MultipartParser(boundary: boundary, limits: .init(maxParts: maxFiles + textFields.count + 2)) } catch {
            throw APIError.badRequest("Malformed multipart boundary")
        }

        var received = Received()
        var current: Part?
        do {
            while true {
                let chunk = stream.read(maximum: Self.chunkSize)
                if chunk.isEmpty { break }
                try parser.feed(chunk) { event in try handle(event, &current, &received) }
                if parser.isComplete { break }
            }
            try parser.finish()
        } catch let failure as MultipartParser.Failure {
            received.files.forEach { $0.file.abandon() }
            current?.abandon()
            throw Self.apiError(failure)
        } catch {
            received.files.forEach { $0.file.abandon() }
            current?.abandon()
            throw error
        }
        return received
    }

    /// The part being read.
    private enum Part {
        case file(field: String, filename: String, head: [UInt8], file: UploadStorage.PendingFile?, kind: ImageKind?)
        case text(field: String, bytes: [UInt8])

        func abandon() { if case .file(_, _, _, let file?, _) = self { file.abandon() } }
    }

    private func handle(_ event: MultipartParser.Event, _ current: inout Part?, _ received: inout Received) throws {
        switch event {
        case .partBegin(let headers):
            guard let name = headers.name else { throw APIError.validation([FieldError(field: "body", message: "a part has no field name")]) }
            if fileFields.contains(name) {
                guard headers.filename != nil else { throw APIError.validation([FieldError(field: name, message: "must be a file")]) }
                guard received.files.count < maxFiles else {
                    throw APIError.validation([FieldError(field: name, message: "at most \(maxFiles) file(s)")])
                }
                current = .file(field: name, filename: Self.sanitise(headers.filename ?? ""), head: [], file: nil, kind: nil)
            } else if textFields.contains(name) {
                guard received.fields[name] == nil else { throw APIError.validation([FieldError(field: name, message: "is given twice")]) }
                current = .text(field: name, bytes: [])
            } else {
                throw APIError.validation([FieldError(field: name, message: "is not a known field")])
            }
        case .partData(let bytes):
            switch current {
            case .text(let field, var collected):
                collected += bytes
                guard collected.count <= Self.maxFieldBytes else { throw APIError.validation([FieldError(field: field, message: "is too long")]) }
                current = .text(field: field, bytes: collected)
            case .file(let field, let filename, var head, var file, var kind):
                if let file {
                    guard file.size + bytes.count <= maxFileBytes else { throw APIError.payloadTooLarge(limit: maxFileBytes) }
                    try file.write(bytes)
                } else {
                    // Hold the first bytes until the kind can be told, then open the file.
                    head += bytes
                    if head.count >= ImageKind.signatureLength {
                        guard let detected = ImageKind.detect(head) else { throw Self.unsupported }
                        guard head.count <= maxFileBytes else { throw APIError.payloadTooLarge(limit: maxFileBytes) }
                        let opened = try storage.begin(folder: folder, name: try UUIDGenerator.random())
                        try opened.write(head)
                        head = []
                        file = opened
                        kind = detected
                    }
                }
                current = .file(field: field, filename: filename, head: head, file: file, kind: kind)
            case nil:
                break
            }
        case .partEnd:
            switch current {
            case .text(let field, let bytes):
                guard let text = String(validating: bytes, as: UTF8.self) else { throw APIError.validation([FieldError(field: field, message: "must be UTF-8 text")]) }
                received.fields[field] = text
            case .file(let field, let filename, let head, var file, var kind):
                if file == nil {
                    // A file shorter than the signature: empty, or too short to be an image.
                    guard !head.isEmpty else { throw APIError.validation([FieldError(field: field, message: "is empty")]) }
                    guard let detected = ImageKind.detect(head) else { throw Self.unsupported }
                    let opened = try storage.begin(folder: folder, name: try UUIDGenerator.random())
                    try opened.write(head)
                    file = opened
                    kind = detected
                }
                received.files.append(ReceivedFile(field: field, filename: filename, kind: kind!, file: file!))
            case nil:
                break
            }
            current = nil
        }
    }

    static var unsupported: APIError {
        APIError(.unsupportedMediaType, "Only JPEG, PNG, WebP and GIF images are accepted")
    }

    static func apiError(_ failure: MultipartParser.Failure) -> APIError {
        switch failure {
        case .tooManyParts: .validation([FieldError(field: "body", message: "too many parts")])
        case .headerTooLarge: .validation([FieldError(field: "body", message: "a part's headers are too large")])
        case .truncated: .badRequest("The multipart body ended before its closing boundary")
        case .missingBoundary: .badRequest("multipart/form-data needs a boundary")
        case .malformed(let reason): .badRequest("Malformed multipart body: \(reason)")
        }
    }

    /// The client's file name, for display only: its last path component, printable, ≤ 255.
    static func sanitise(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let printable = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f && $0 != "\"" }.map(Character.init))
        var trimmed = Substring(printable)
        while trimmed.first == " " || trimmed.first == "." { trimmed.removeFirst() }
        while trimmed.last == " " { trimmed.removeLast() }
        return trimmed.isEmpty ? "upload" : String(String(trimmed).unicodeScalars.prefix(255))
    }
}
