import Postgres

/// Turns a search box into PostgreSQL text-search queries. `websearch_to_tsquery` takes the
/// user's syntax (quotes, `or`, `-`) as it is; a second query built here from the words
/// alone matches prefixes (`lapt` → `laptop`) as the user types.
enum ProductSearch {
    /// `lapt:* & pro:*` from the letters and digits of the words; nil when none are left.
    /// Only [a-z0-9] reach the tsquery text, so its operators cannot be injected.
    static func prefixQuery(_ text: String) -> String? {
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
        let safe = words.map { String($0.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }) }
            .filter { !$0.isEmpty }.prefix(8)
        return safe.isEmpty ? nil : safe.map { $0 + ":*" }.joined(separator: " & ")
    }

    /// The tsquery expression for the raw text and, when there is one, its prefix query.
    static func tsquery(_ text: String) -> PostgresQuery {
        let prefix: PostgresQuery = prefixQuery(text).map { " || to_tsquery('simple', \(bind: $0))" } ?? ""
        return "(websearch_to_tsquery('english', \(bind: text)) || websearch_to_tsquery('simple', \(bind: text))\(prefix))"
    }
}
