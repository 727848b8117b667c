/// `--name value` and `--flag` options after the command word.
struct Options {
    private var values: [String: String] = [:]
    private(set) var flags: Set<String> = []

    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    init(_ arguments: ArraySlice<String>, valued: Set<String>, flags allowed: Set<String> = []) throws {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            guard argument.hasPrefix("--") else { throw UsageError(description: "unexpected argument \(argument)") }
            let name = String(argument.dropFirst(2))
            if allowed.contains(name) {
                flags.insert(name)
            } else if valued.contains(name) {
                guard let value = iterator.next() else { throw UsageError(description: "--\(name) needs a value") }
                values[name] = value
            } else {
                throw UsageError(description: "unknown option --\(name)")
            }
        }
    }

    /// Options the argument parser read: valued ones by name, nil ones left out.
    init(values: [String: String?], flags: Set<String> = []) {
        self.values = values.compactMapValues { $0 }
        self.flags = flags
    }

    subscript(name: String) -> String? { values[name] }
}
