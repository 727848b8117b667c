import Core
#if canImport(Glibc)
import Glibc
#endif

/// `/etc/commerce-fcgi/commerce.env` read the way systemd's `EnvironmentFile=` reads it, so a
/// command run by hand sees exactly what the units see: `KEY=VALUE` lines; lines starting with
/// `#` or `;` and blank lines skipped; whitespace around the key and before the value dropped;
/// a value in double quotes keeps its spaces and takes `\"`, `\\`, `\$` and `\` + newline; one in
/// single quotes is taken as written; an unquoted one ends at the line's end, trailing
/// whitespace dropped, `\` escaping the next character.
public enum EnvironmentFile {
    public static let defaultPath = "/etc/commerce-fcgi/commerce.env"

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let line: Int
        public let problem: String
        public var description: String { "line \(line): \(problem)" }
    }

    public static func parse(_ text: String) throws(ParseError) -> [String: String] {
        var values: [String: String] = [:]
        let characters = Array(text)
        var index = 0
        var line = 1
        func skip(while predicate: (Character) -> Bool) {
            while index < characters.count, predicate(characters[index]) { index += 1 }
        }
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        while index < characters.count {
            skip(while: blank)
            guard index < characters.count else { break }
            let first = characters[index]
            if first.isNewline {
                index += 1
                line += 1
                continue
            }
            if first == "#" || first == ";" {
                skip(while: { !$0.isNewline })
                continue
            }
            let keyStart = index
            skip(while: { $0 != "=" && !$0.isNewline })
            let key = String(characters[keyStart..<index]).trimmingBlanks
            guard index < characters.count, characters[index] == "=" else { throw ParseError(line: line, problem: "expected KEY=VALUE") }
            guard isValidKey(key) else { throw ParseError(line: line, problem: "\(key.isEmpty ? "an empty name" : "'\(key)'") is not a variable name") }
            index += 1
            skip(while: blank)
            let startLine = line
            values[key] = try value(characters, &index, &line, startLine: startLine)
        }
        return values
    }

    /// The value from `index` to the end of its line (or its closing quote), `index` past it.
    private static func value(_ characters: [Character], _ index: inout Int, _ line: inout Int, startLine: Int) throws(ParseError) -> String {
        var value = ""
        guard index < characters.count else { return value }
        switch characters[index] {
        case "\"":
            index += 1
            while index < characters.count, characters[index] != "\"" {
                var character = characters[index]
                if character == "\\", index + 1 < characters.count {
                    index += 1
                    character = characters[index]
                    if character.isNewline {
                        line += 1
                        index += 1
                        continue
                    }
                    if !["\"", "\\", "$", "`"].contains(character) { value.append("\\") }
                } else if character.isNewline {
                    line += 1
                }
                value.append(character)
                index += 1
            }
            guard index < characters.count else { throw ParseError(line: startLine, problem: "a double quote is not closed") }
            index += 1
        case "'":
            index += 1
            while index < characters.count, characters[index] != "'" {
                if characters[index].isNewline { line += 1 }
                value.append(characters[index])
                index += 1
            }
            guard index < characters.count else { throw ParseError(line: startLine, problem: "a single quote is not closed") }
            index += 1
        default:
            while index < characters.count, !characters[index].isNewline {
                if characters[index] == "\\", index + 1 < characters.count {
                    index += 1
                    if characters[index].isNewline {
                        line += 1
                        index += 1
                        continue
                    }
                }
                value.append(characters[index])
                index += 1
            }
            return value.trimmingBlanks
        }
        // After a closing quote, only blanks to the end of the line.
        while index < characters.count, !characters[index].isNewline {
            guard characters[index] == " " || characters[index] == "\t" else {
                throw ParseError(line: line, problem: "text after the closing quote")
            }
            index += 1
        }
        return value
    }

    static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    public enum ReadError: Error, CustomStringConvertible {
        case unreadable(path: String, errno: Int32)
        case malformed(path: String, ParseError)

        public var description: String {
            switch self {
            case .unreadable(let path, let code): "cannot read \(path): \(String(cString: strerror(code)))"
            case .malformed(let path, let error): "\(path): \(error.description)"
            }
        }
    }

    public static func read(path: String) throws(ReadError) -> [String: String] {
        let bytes: [UInt8]
        do {
            bytes = try LocalFile.bytes(atPath: path)
        } catch {
            throw .unreadable(path: path, errno: error.errno)
        }
        do {
            return try parse(String(decoding: bytes, as: UTF8.self))
        } catch {
            throw .malformed(path: path, error)
        }
    }

    /// What a command runs with: `--env-file`'s variables, or with none given and no
    /// configuration in the environment, the default file's when it exists; the process's own
    /// variables win over the file's, so a one-off `KEY=value commerce-fcgi …` still applies.
    public static func environment(process: [String: String], envFile: String?) throws(ReadError) -> [String: String] {
        let path: String
        if let envFile {
            path = envFile
        } else if process["DATABASE_URL"] == nil, access(defaultPath, F_OK) == 0 {
            path = defaultPath
        } else {
            return process
        }
        return try read(path: path).merging(process) { _, fromProcess in fromProcess }
    }
}
