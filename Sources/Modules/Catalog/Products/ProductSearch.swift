import Postgres

/// Turns a search box into PostgreSQL text-search queries. `websearch_to_tsquery` takes the
/// user's syntax (quotes, `or`, `-`) as it is; a second query built here from the words
/// alone matches prefixes (`lapt` → `laptop`) as the user types.
enum ProductSearch {
    /// `lapt:* & pro:*` from the letters and digits of the words; nil when none are left.
    /// Only [a-z0-9] reach the tsquery text, so its operators cannot be injected.
    static func prefixQuery(_ text: String) -> String? {
        let safe = words(text)
        return safe.isEmpty ? nil : safe.map { $0 + ":*" }.joined(separator: " & ")
    }

    /// The words of a search as the tsquery texts here use them: ASCII letters and digits,
    /// at most eight.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return Array(
            words.map { String($0.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }) }
                .filter { !$0.isEmpty }.prefix(8))
    }

    /// Words long enough to be looked up as typos: one edit from a name's word of 5 letters
    /// or more, so 4 letters at least.
    static func typoCandidates(_ text: String) -> [String] { words(text).filter { $0.count >= 4 } }

    /// The search with each word also allowed as the known words one edit away from it:
    /// `(hedphones:* | headphones) & studio:*`; nil when no word has a correction. Known words
    /// outside [a-z0-9] are left out, so nothing but words and operators reaches the tsquery.
    static func correctedQuery(_ text: String, corrections: [String: [String]]) -> String? {
        var corrected = false
        let groups = words(text).map { word -> String in
            let alternatives = (corrections[word] ?? []).filter { known in
                known.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
            }
            guard !alternatives.isEmpty else { return word + ":*" }
            corrected = true
            return "(" + ([word + ":*"] + alternatives).joined(separator: " | ") + ")"
        }
        return corrected ? groups.joined(separator: " & ") : nil
    }

    /// Whether two words are at most one insertion, deletion or substitution apart.
    static func withinOneEdit(_ a: String, _ b: String) -> Bool {
        let x = Array(a.unicodeScalars)
        let y = Array(b.unicodeScalars)
        guard abs(x.count - y.count) <= 1 else { return false }
        var i = 0
        var j = 0
        var edits = 0
        while i < x.count && j < y.count {
            if x[i] == y[j] {
                i += 1
                j += 1
                continue
            }
            edits += 1
            if edits > 1 { return false }
            if x.count > y.count {
                i += 1
            } else if y.count > x.count {
                j += 1
            } else {
                i += 1
                j += 1
            }
        }
        return edits + (x.count - i) + (y.count - j) <= 1
    }

    /// The tsquery expression for the raw text and, when there is one, its prefix query.
    static func tsquery(_ text: String) -> PostgresQuery {
        let prefix: PostgresQuery = prefixQuery(text).map { " || to_tsquery('simple', \(bind: $0))" } ?? ""
        return "(websearch_to_tsquery('english', \(bind: text)) || websearch_to_tsquery('simple', \(bind: text))\(prefix))"
    }
}
