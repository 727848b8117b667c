import Catalog

/// What uploads need: the catalog context (admin guard, cache bump) and where files go.
public protocol UploadsContext: CatalogContext {
    var uploadDirectory: String { get }
    var uploadMaxBytes: Int { get }
}
