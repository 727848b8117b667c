import HTTP

/// `changes` as the audit log keeps them: `{field: [before, after]}` for each field that
/// differs between two answers of an entity, never a secret's value.
public enum AuditChanges {
    /// Fields whose values are never written, wherever they appear.
    static let secretFields: Set<String> = ["password", "passwordHash", "secret", "key", "token", "clientSecret", "secretHash"]
    /// Fields that change with every write and say nothing.
    static let ignoredFields: Set<String> = ["updatedAt"]

    /// nil `before`: a creation (every field from null); nil `after`: a deletion.
    public static func diff(before: JSONValue?, after: JSONValue?) -> JSONValue {
        let old = before?.objectValue ?? JSONObject()
        let new = after?.objectValue ?? JSONObject()
        var changes = JSONObject()
        var fields = old.keys
        for key in new.keys where old[key] == nil { fields.append(key) }
        for field in fields where !ignoredFields.contains(field) {
            let was = old[field] ?? .null
            let now = new[field] ?? .null
            guard was != now else { continue }
            changes[field] = secretFields.contains(field) ? .array(["[redacted]", "[redacted]"]) : .array([was, now])
        }
        return .object(changes)
    }
}
