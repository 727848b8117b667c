/// Reads a JSON request body field by field, collecting every problem before failing, and
/// rejects fields the route does not know (so `role` cannot be slipped into a profile).
///
///     var body = try ObjectReader(request.body)
///     let name = body.string("name", maxLength: 100)
///     let count = body.int("count", range: 1...10)
///     try body.finish()          // 400 with every detail, or nothing
public struct ObjectReader {
    private let object: JSONObject
    private var known: Set<String> = []
    public private(set) var errors: [FieldError] = []
    private let prefix: String

    public init(_ body: [UInt8]) throws(APIError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch  where error.exceedsLimit {
            throw APIError.validation([FieldError(field: "body", message: "too large: \(error.message)")])
        } catch {
            throw APIError.validation([FieldError(field: "body", message: "malformed JSON: \(error.message) at byte \(error.offset)")])
        }
        guard case .object(let object) = value else {
            throw APIError.validation([FieldError(field: "body", message: "must be a JSON object")])
        }
        self.init(object: object, prefix: "")
    }

    public init(object: JSONObject, prefix: String) {
        self.object = object
        self.prefix = prefix
    }

    private func path(_ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }

    public mutating func fail(_ name: String, _ message: String) {
        errors.append(FieldError(field: path(name), message: message))
    }

    /// The raw value, marking the field as known; nil when absent. `null` counts as absent
    /// only where `nullable` is true.
    private mutating func take(_ name: String, required: Bool, nullable: Bool) -> JSONValue? {
        known.insert(name)
        guard let value = object[name] else {
            if required { fail(name, "is required") }
            return nil
        }
        if case .null = value {
            if required { fail(name, "is required") } else if !nullable { fail(name, "must not be null") }
            return nil
        }
        return value
    }

    public func has(_ name: String) -> Bool { object[name] != nil }

    /// True for `{}`.
    public var isEmpty: Bool { object.count == 0 }

    public func isNull(_ name: String) -> Bool { object[name] == .null }

    public mutating func string(_ name: String, required: Bool = true, nullable: Bool = false, minLength: Int = 0, maxLength: Int = 255) -> String? {
        guard let value = take(name, required: required, nullable: nullable) else { return nil }
        guard case .string(let text) = value else { fail(name, "must be a string"); return nil }
        // Lengths count Unicode scalars, as PostgreSQL's varchar(n) and char_length do: one
        // Character can carry any number of combining marks.
        let length = text.unicodeScalars.count
        if length > maxLength { fail(name, "must be at most \(maxLength) characters"); return nil }
        // NUL cannot be stored in PostgreSQL text or jsonb, and means nothing in any field here.
        if text.utf8.contains(0) { fail(name, "must not contain NUL characters"); return nil }
        if length < minLength {
            fail(name, minLength == 1 ? "must not be empty" : "must be at least \(minLength) characters")
            return nil
        }
        return text
    }

    public mutating func int(_ name: String, required: Bool = true, nullable: Bool = false, range: ClosedRange<Int>) -> Int? {
        guard let value = take(name, required: required, nullable: nullable) else { return nil }
        guard case .number(let literal) = value, let number = Int(literal) else { fail(name, "must be an integer"); return nil }
        guard range.contains(number) else { fail(name, "must be between \(range.lowerBound) and \(range.upperBound)"); return nil }
        return number
    }

    public mutating func bool(_ name: String, required: Bool = true) -> Bool? {
        guard let value = take(name, required: required, nullable: false) else { return nil }
        guard case .bool(let flag) = value else { fail(name, "must be a boolean"); return nil }
        return flag
    }

    /// Money: a decimal string or a JSON number with at most two places, 0…99999999.99.
    public mutating func money(_ name: String, required: Bool = true, nullable: Bool = false) -> Cents? {
        guard let value = take(name, required: required, nullable: nullable) else { return nil }
        let literal: String
        switch value {
        case .string(let text): literal = text
        case .number(let text): literal = text
        default: fail(name, "must be a decimal amount"); return nil
        }
        do {
            let cents = try Cents.parse(literal)
            guard cents >= .zero else { fail(name, "must not be negative"); return nil }
            return cents
        } catch .tooPrecise {
            fail(name, "must have at most two decimal places")
        } catch .tooLarge {
            fail(name, "must be at most 99999999.99")
        } catch {
            fail(name, "must be a decimal amount")
        }
        return nil
    }

    public mutating func uuid(_ name: String, required: Bool = true, nullable: Bool = false) -> String? {
        guard let text = string(name, required: required, nullable: nullable, maxLength: 36) else { return nil }
        guard UUIDText.isValid(text) else { fail(name, "must be a UUID"); return nil }
        return text.lowercased()
    }

    /// An RFC 3339 time as the client wrote it (PostgreSQL reads it), checked field by field.
    public mutating func time(_ name: String, required: Bool = false, nullable: Bool = true) -> String? {
        guard let text = string(name, required: required, nullable: nullable, maxLength: 40) else { return nil }
        guard RFC3339.isValid(text) else { fail(name, RFC3339.expectation); return nil }
        return text
    }

    /// An array of strings, each at most `maxLength`; at most `maxCount` of them.
    public mutating func strings(_ name: String, required: Bool = true, maxCount: Int = 100, maxLength: Int = 255) -> [String]? {
        guard let value = take(name, required: required, nullable: false) else { return nil }
        guard case .array(let items) = value else { fail(name, "must be an array of strings"); return nil }
        guard items.count <= maxCount else { fail(name, "must have at most \(maxCount) items"); return nil }
        var out: [String] = []
        for item in items {
            guard case .string(let text) = item, text.unicodeScalars.count <= maxLength, !text.utf8.contains(0) else {
                fail(name, "must be an array of strings of at most \(maxLength) characters")
                return nil
            }
            out.append(text)
        }
        return out
    }

    public mutating func email(_ name: String, required: Bool = true) -> String? {
        guard let text = string(name, required: required, maxLength: 254) else { return nil }
        guard EmailAddress.isPlausible(text) else { fail(name, "must be a valid email address"); return nil }
        return text.lowercased()
    }

    /// A nested object, read with its own reader whose errors carry this field's prefix.
    public mutating func object(_ name: String, required: Bool = true, read: (inout ObjectReader) -> Void) {
        guard let value = take(name, required: required, nullable: !required) else { return }
        guard case .object(let nested) = value else { fail(name, "must be an object"); return }
        var reader = ObjectReader(object: nested, prefix: path(name))
        read(&reader)
        reader.rejectUnknown()
        errors.append(contentsOf: reader.errors)
    }

    public mutating func reject(_ name: String, because message: String) {
        known.insert(name)
        if object[name] != nil { fail(name, message) }
    }

    private mutating func rejectUnknown() {
        for key in object.keys where !known.contains(key) {
            fail(key, "is not a known field")
        }
    }

    /// Throws a 400 listing every problem found, unknown fields included.
    public mutating func finish() throws(APIError) {
        rejectUnknown()
        if !errors.isEmpty { throw APIError.validation(errors) }
    }
}

public enum UUIDText {
    /// The canonical 8-4-4-4-12 hex form, either case.
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (i, byte) in bytes.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if byte != UInt8(ascii: "-") { return false }
            } else if !((0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)) {
                return false
            }
        }
        return true
    }
}

public enum EmailAddress {
    /// One `@`, a non-empty local part, a dotted domain, no spaces or control characters.
    /// Deliverability is the mail server's to judge.
    public static func isPlausible(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].unicodeScalars.count <= 64 else { return false }
        let domain = parts[1]
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else { return false }
        return !text.unicodeScalars.contains { $0.value <= 0x20 || $0 == "\u{7f}" || $0 == "," || $0 == "<" || $0 == ">" }
    }
}
