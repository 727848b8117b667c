import Demo

/// `seed-demo`'s wiring: the load (Demo), then the catalog version bumped everywhere so pages
/// cached before the load are not served.
public enum SeedDemo {
    public static func run(products count: Int, context: CommandContext) throws -> DemoCatalog.Outcome? {
        guard
            let outcome = try DemoCatalog.load(
                products: count, database: context.database, clock: context.clock, uploadDirectory: context.configuration.uploadDirectory)
        else { return nil }
        CatalogVersion.bumpEverywhere(configuration: context.configuration, cache: context.cache, database: context.database)
        return outcome
    }
}
