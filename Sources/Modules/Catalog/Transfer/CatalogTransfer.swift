import Audit
import HTTP
import Postgres

/// `catalog export` and `catalog import` (API.md §12.8).
public enum CatalogExport {
    /// Every product, header first, a thousand at a time in SKU order: constant memory.
    public static func write(on db: PostgresClient, batch: Int = 1000, to sink: (String) throws -> Void) throws {
        try sink(CatalogCSV.header)
        var after: String?
        while true {
            let rows = try ProductStore.exportBatch(after: after, limit: batch, on: db)
            guard !rows.isEmpty else { return }
            var chunk = ""
            for row in rows { chunk += CSV.record(row) }
            try sink(chunk)
            after = rows.last?.first
            if rows.count < batch { return }
        }
    }
}

public struct CatalogImportReport: Sendable {
    /// `line N: field: message`, in file order; empty when the file was good.
    public var problems: [String] = []
    public var rows = 0
    public var created = 0
    public var updated = 0
    /// False for a dry run, and whenever there were problems: then nothing was written.
    public var applied = false
}

public enum CatalogImport {
    /// Reads the file from `next` (chunks; nil at the end), checks every row (the file's own
    /// rules, then against the catalog: categories, new products' required columns, slugs),
    /// and unless a row is invalid or it is a dry run, writes everything in one transaction.
    public static func run(reading next: @escaping () throws -> [UInt8]?, dryRun: Bool, actor: AuditActor, on db: PostgresClient) throws
        -> CatalogImportReport
    {
        var report = CatalogImportReport()
        var reader = CSV.Reader(next: next)
        let header: [String]
        do {
            guard let first = try reader.record() else {
                report.problems = ["line 1: the file is empty; the first line names the columns"]
                return report
            }
            header = first.fields
        } catch let error as CSV.ReadError {
            report.problems = [error.description]
            return report
        }
        let rowReader: CatalogRowReader
        switch CatalogRowReader.header(header) {
        case .success(let reader): rowReader = reader
        case .failure(let problems):
            report.problems = problems.messages.map { "line 1: " + $0 }
            return report
        }

        var rows: [(line: Int, row: CatalogRow)] = []
        var lineOfSku: [String: Int] = [:]
        do {
            while let record = try reader.record() {
                if record.fields == [""] { continue }
                report.rows += 1
                switch rowReader.read(record.fields) {
                case .failure(let problems): report.problems += problems.messages.map { "line \(record.line): " + $0 }
                case .success(let row):
                    if let first = lineOfSku[row.sku] {
                        report.problems.append("line \(record.line): sku: \(row.sku) is also on line \(first)")
                    } else {
                        lineOfSku[row.sku] = record.line
                        rows.append((record.line, row))
                    }
                }
            }
        } catch let error as CSV.ReadError {
            report.problems.append(error.description)
            return report
        }

        let existing = try ProductStore.existing(skus: rows.map(\.row.sku), on: db)
        let categories = try ProductStore.categoryIds(on: db)
        var slugs: [String: String] = [:] // new rows' slugs, by SKU
        var claimed: [String: String] = [:] // slug → SKU, within the file
        var wanted: [(line: Int, sku: String, slug: String)] = []
        var madeSlug: Set<String> = [] // SKUs whose slug the import makes from the name
        for (line, row) in rows {
            if case .some(.some(let category)) = row.categorySlug, categories[category] == nil {
                report.problems.append("line \(line): categorySlug: no category has the slug \(category)")
            }
            if existing[row.sku] == nil {
                let missing = CatalogCSV.requiredForNew.filter { !rowReader.has($0) }.sorted()
                for column in missing { report.problems.append("line \(line): \(column): required for a new product") }
                guard missing.isEmpty else { continue }
                guard let slug = row.slug ?? Slug.make(from: row.name ?? "") else {
                    report.problems.append("line \(line): slug: cannot be made from this name; give one")
                    continue
                }
                slugs[row.sku] = slug
                if row.slug == nil { madeSlug.insert(row.sku) }
                wanted.append((line, row.sku, slug))
            } else if let slug = row.slug {
                wanted.append((line, row.sku, slug))
            }
        }
        func withSku(_ slug: String, _ sku: String) -> String? {
            Slug.make(from: sku).map { String(slug.prefix(Slug.maxLength - $0.count - 1)) + "-" + $0 }
        }
        let owners = try ProductStore.slugOwners(
            wanted.map(\.slug) + wanted.compactMap { madeSlug.contains($0.sku) ? withSku($0.slug, $0.sku) : nil }, on: db)
        for (line, sku, slug) in wanted {
            var chosen = slug
            let taken = { (candidate: String) in (owners[candidate].map { $0 != sku } ?? false) || (claimed[candidate].map { $0 != sku } ?? false) }
            if taken(chosen), madeSlug.contains(sku), let alternative = withSku(slug, sku) {
                // A made slug that is taken gets the SKU appended, as the create route's -2, -3…
                chosen = alternative
            }
            if taken(chosen) {
                report.problems.append("line \(line): slug: \(chosen) is taken by SKU \(owners[chosen] ?? claimed[chosen] ?? "?")")
                continue
            }
            claimed[chosen] = sku
            if slugs[sku] != nil { slugs[sku] = chosen }
        }
        report.problems.sort { lineNumber($0) < lineNumber($1) }
        let updates = rows.map(\.row).filter { existing[$0.sku] != nil }
        let inserts = rows.map(\.row).filter { existing[$0.sku] == nil }
        guard report.problems.isEmpty else { return report }
        guard !dryRun else {
            report.created = inserts.count
            report.updated = updates.count
            return report
        }
        do {
            try db.withTransaction { db in
                // One statement each for a whole file: the request-sized timeout does not apply.
                try db.query("SET LOCAL statement_timeout = 0")
                report.updated = try ProductStore.importUpdates(updates, has: rowReader.has, categoryIds: categories, on: db)
                report.created = try ProductStore.importInserts(inserts, slugs: slugs, categoryIds: categories, on: db)
                try AuditLog.record(
                    actor, action: "catalog.import", entityType: "catalog", entityId: nil,
                    changes: .object(["created": .array([.null, .int(report.created)]), "updated": .array([.null, .int(report.updated)])]), on: db)
            }
        } catch let error as PostgresError where error.kind == .uniqueViolation(constraint: "products_slug_key") {
            report.problems = ["slug: two products would share a slug once the file is applied (a slug moved from one SKU to another); give them distinct slugs"]
            report.created = 0
            report.updated = 0
            return report
        }
        report.applied = true
        return report
    }

    private static func lineNumber(_ problem: String) -> Int {
        guard problem.hasPrefix("line ") else { return Int.max }
        return Int(problem.dropFirst(5).prefix { $0.isNumber }) ?? Int.max
    }
}
