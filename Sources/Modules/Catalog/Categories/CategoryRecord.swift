import HTTP
import Postgres

/// A row of `categories` as API.md §4 shows it.
struct CategoryRecord: JSONRepresentable {
    let id: String
    let name: String
    let slug: String
    let description: String?
    let parentId: String?
    let isActive: Bool
    let createdAt: String
    let updatedAt: String
    var children: [CategoryRecord]?

    static let columns: PostgresQuery = """
        id, name, slug, description, parent_id, is_active, \
        \(SQLFragment.isoTimestamp("created_at")) AS created_at, \(SQLFragment.isoTimestamp("updated_at")) AS updated_at
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id", as: String.self)
        name = try row.decode("name", as: String.self)
        slug = try row.decode("slug", as: String.self)
        description = try row.decode("description", as: String?.self)
        parentId = try row.decode("parent_id", as: String?.self)
        isActive = try row.decode("is_active", as: Bool.self)
        createdAt = try row.decode("created_at", as: String.self)
        updatedAt = try row.decode("updated_at", as: String.self)
    }

    var json: JSONValue {
        var object: JSONObject = [
            "id": .string(id), "name": .string(name), "slug": .string(slug), "description": description.map(JSONValue.string) ?? .null,
            "parentId": parentId.map(JSONValue.string) ?? .null, "isActive": .bool(isActive),
            "createdAt": .string(createdAt), "updatedAt": .string(updatedAt),
        ]
        if let children { object["children"] = .array(children.map(\.json)) }
        return .object(object)
    }

    /// Nests a flat list under `children`, siblings in the list's order. A category whose
    /// parent is not in the list (an inactive parent) becomes a root.
    static func tree(_ flat: [CategoryRecord]) -> [CategoryRecord] {
        let ids = Set(flat.map(\.id))
        var byParent: [String: [CategoryRecord]] = [:]
        for category in flat { byParent[category.parentId.flatMap { ids.contains($0) ? $0 : nil } ?? "", default: []].append(category) }
        func build(_ parent: String) -> [CategoryRecord] {
            (byParent[parent] ?? []).map { category in
                var node = category
                node.children = build(category.id)
                return node
            }
        }
        return build("")
    }
}
