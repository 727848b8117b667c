#if canImport(Glibc)
import Glibc
#endif
import Audit
import Catalog
import Metrics
import Scoreboard

/// `catalog export` and `catalog import` wiring (API.md §12.8): the transfer itself is
/// Catalog's; an applied import then invalidates the catalog everywhere, once.
public enum CatalogFiles {
    public static func export(context: CommandContext, to sink: (String) throws -> Void) throws {
        try CatalogExport.write(on: context.database, to: sink)
    }

    public static func importFile(reading next: @escaping () throws -> [UInt8]?, dryRun: Bool, context: CommandContext) throws -> CatalogImportReport {
        let report = try CatalogImport.run(reading: next, dryRun: dryRun, actor: .system, on: context.database)
        if report.applied { CatalogVersion.bumpEverywhere(configuration: context.configuration, cache: context.cache, database: context.database) }
        if !dryRun { count(report, configuration: context.configuration) }
        return report
    }

    /// `catalog_import_rows_total{result}`, counted into a background slot of the pool's
    /// scoreboard (counters outlive the process that added them), so `/api/metrics` shows it.
    private static func count(_ report: CatalogImportReport, configuration: Configuration) {
        let pool = configuration.pool
        guard
            let board = Scoreboard.existing(
                path: pool.scoreboardPath, layout: Application.scoreboardLayout(configuration: configuration), slots: pool.scoreboardSlots),
            let slot = board.claimFreeSlot(pid: getpid(), in: board.backgroundSection)
        else { return }
        slot.setState(.background)
        let invalid = report.problems.isEmpty ? 0 : report.rows
        for (counter, amount) in [(MetricCounter.catalogImportCreated, report.created), (.catalogImportUpdated, report.updated), (.catalogImportInvalid, invalid)]
        where amount > 0 {
            slot.add(namedCounter: counter.rawValue, UInt64(amount))
        }
    }
}
