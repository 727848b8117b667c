/// URL slugs (`summer-t-shirts`) made from names: lowercase ASCII letters and digits joined
/// by single dashes, the form the database's CHECK constraint accepts.
public enum Slug {
    /// API.md §1: strings allow 255 unless stated; the columns are varchar(255).
    public static let maxLength = 255

    private static let folded: [Character: String] = [
        "à": "a", "á": "a", "â": "a", "ã": "a", "ä": "a", "å": "a", "æ": "ae", "ç": "c", "è": "e", "é": "e", "ê": "e", "ë": "e",
        "ì": "i", "í": "i", "î": "i", "ï": "i", "ð": "d", "ñ": "n", "ò": "o", "ó": "o", "ô": "o", "õ": "o", "ö": "o", "ø": "o",
        "œ": "oe", "ù": "u", "ú": "u", "û": "u", "ü": "u", "ý": "y", "ÿ": "y", "þ": "th", "ß": "ss", "ł": "l", "&": "and",
    ]

    /// nil when nothing of the name survives (a name in a script without a Latin form).
    public static func make(from name: String) -> String? {
        var out = ""
        var pendingDash = false
        for character in name.lowercased() {
            let piece: String
            if let ascii = character.asciiValue, (0x61...0x7a).contains(ascii) || (0x30...0x39).contains(ascii) {
                piece = String(character)
            } else if let mapped = folded[character] {
                piece = mapped
            } else {
                pendingDash = !out.isEmpty
                continue
            }
            if pendingDash { out.append("-"); pendingDash = false }
            out += piece
        }
        while out.count > maxLength { out = String(out.prefix(maxLength)) }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? nil : out
    }

    public static func isValid(_ slug: String) -> Bool {
        guard !slug.isEmpty, slug.count <= maxLength, !slug.hasPrefix("-"), !slug.hasSuffix("-"), !slug.contains("--") else { return false }
        return slug.utf8.allSatisfy { (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "-") }
    }
}

import HTTP

extension ObjectReader {
    /// An optional slug field: valid as given, never rewritten behind the client's back.
    mutating func slug(_ name: String) -> String? {
        guard let text = string(name, required: false, minLength: 1, maxLength: Slug.maxLength) else { return nil }
        guard Slug.isValid(text) else { fail(name, "must be lowercase letters, digits and single dashes"); return nil }
        return text
    }

    /// The `name` of a category or product: 1–200 characters, not all of them blank.
    mutating func catalogName(required: Bool) -> String? {
        guard let name = string("name", required: required, minLength: 1, maxLength: 200) else { return nil }
        guard name.contains(where: { !$0.isWhitespace }) else {
            fail("name", "must not be blank")
            return nil
        }
        return name
    }
}
