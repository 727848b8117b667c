import HTTP

/// What is wrong with a header or a record, as `field: message` lines.
struct RowProblems: Error {
    let messages: [String]
}

/// Checks one record against the catalog's rules, as the create and update routes do; every
/// problem is named as `field: message`.
struct CatalogRowReader {
    /// Column name → position, from the header.
    let positions: [String: Int]

    /// The header must name `sku` and only known columns, each once.
    static func header(_ fields: [String]) -> Result<CatalogRowReader, RowProblems> {
        var problems: [String] = []
        var positions: [String: Int] = [:]
        for (index, raw) in fields.enumerated() {
            let name = index == 0 && raw.hasPrefix("\u{FEFF}") ? String(raw.dropFirst()) : raw
            if !CatalogCSV.columns.contains(name) {
                problems.append("\(name.isEmpty ? "(empty)" : name): unknown column; the columns are " + CatalogCSV.columns.joined(separator: ","))
            } else if positions[name] != nil {
                problems.append("\(name): named twice")
            } else {
                positions[name] = index
            }
        }
        if positions["sku"] == nil { problems.append("sku: the header must name it") }
        return problems.isEmpty ? .success(CatalogRowReader(positions: positions)) : .failure(RowProblems(messages: problems))
    }

    func has(_ column: String) -> Bool { positions[column] != nil }

    func read(_ fields: [String]) -> Result<CatalogRow, RowProblems> {
        var problems: [String] = []
        guard fields.count == positions.count else {
            return .failure(RowProblems(messages: ["record: has \(fields.count) fields, the header \(positions.count)"]))
        }
        func cell(_ name: String) -> String? { positions[name].map { fields[$0] } }
        func check(_ name: String, _ valid: Bool, _ message: String) { if !valid { problems.append("\(name): \(message)") } }

        let sku = cell("sku") ?? ""
        check("sku", !sku.isEmpty && sku.unicodeScalars.count <= 255, "must be 1–255 characters")
        check("sku", sku.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }, "must be letters, digits, - _ or .")
        var row = CatalogRow(sku: sku)
        if let name = cell("name") {
            check("name", (1...200).contains(name.unicodeScalars.count) && name.contains { !$0.isWhitespace }, "must be 1–200 characters, not blank")
            row.name = name
        }
        if let slug = cell("slug"), !slug.isEmpty {
            check("slug", slug.unicodeScalars.count <= Slug.maxLength && Slug.isValid(slug), "must be lowercase letters, digits and single dashes")
            row.slug = slug
        }
        if let description = cell("description") {
            check("description", description.unicodeScalars.count <= 10_000, "must be at most 10000 characters")
            row.description = description
        }
        for text in [row.name, row.description, row.sku].compactMap({ $0 }) where text.utf8.contains(0) {
            problems.append("record: must not contain NUL characters")
        }
        if let price = cell("price") {
            row.price = Self.money(price, "price", &problems, allowEmpty: false) ?? nil
        }
        if let compare = cell("compareAtPrice") {
            row.compareAtPrice = .some(Self.money(compare, "compareAtPrice", &problems, allowEmpty: true) ?? nil)
        }
        if let stock = cell("stockQuantity") {
            if let quantity = Int(stock), (0...1_000_000_000).contains(quantity) {
                row.stockQuantity = quantity
            } else {
                problems.append("stockQuantity: must be an integer between 0 and 1000000000")
            }
        }
        if let active = cell("isActive") {
            switch active {
            case "true": row.isActive = true
            case "false": row.isActive = false
            default: problems.append("isActive: must be true or false")
            }
        }
        if let category = cell("categorySlug") {
            row.categorySlug = .some(category.isEmpty ? nil : category)
        }
        return problems.isEmpty ? .success(row) : .failure(RowProblems(messages: problems))
    }

    /// Money as the API takes it; nil (with a problem noted) when it is not.
    private static func money(_ text: String, _ field: String, _ problems: inout [String], allowEmpty: Bool) -> Cents?? {
        if text.isEmpty {
            if allowEmpty { return .some(nil) }
            problems.append("\(field): is required")
            return nil
        }
        do {
            let cents = try Cents.parse(text)
            guard cents >= .zero else {
                problems.append("\(field): must not be negative")
                return nil
            }
            return .some(cents)
        } catch {
            problems.append("\(field): must be a decimal amount with at most two places, at most 99999999.99")
            return nil
        }
    }
}
