import Audit
import Catalog

/// `catalog export` and `catalog import` wiring (API.md §12.8): the transfer itself is
/// Catalog's; an applied import then invalidates the catalog everywhere, once.
public enum CatalogFiles {
    public static func export(context: CommandContext, to sink: (String) throws -> Void) throws {
        try CatalogExport.write(on: context.database, to: sink)
    }

    public static func importFile(reading next: @escaping () throws -> [UInt8]?, dryRun: Bool, context: CommandContext) throws -> CatalogImportReport {
        let report = try CatalogImport.run(reading: next, dryRun: dryRun, actor: .system, on: context.database)
        if report.applied { CatalogVersion.bumpEverywhere(configuration: context.configuration, cache: context.cache) }
        return report
    }
}
