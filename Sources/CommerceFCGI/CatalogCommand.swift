import App
import Catalog
#if canImport(Glibc)
import Glibc
#endif

/// `catalog export|import|import-dir` (API.md §12.8). Files are read and written in chunks, so
/// a catalog of any size takes constant memory here (the import holds its rows, to check them
/// all before writing any).
enum CatalogCommand {
    static func export(out: String?, environment: [String: String]) throws -> Int32 {
        let context = CommandContext(configuration: try Configuration.load(environment), name: "catalog-export")
        // Standard output is descriptor 1, opened as a stream of this function's own.
        guard let file = out.map({ fopen($0, "w") }) ?? fdopen(dup(1), "w") else {
            CommandLineInterface.printError("catalog export: cannot write \(out ?? "stdout")")
            return CommandLineInterface.exitIOError
        }
        defer { fclose(file) }
        try CatalogFiles.export(context: context) { text in
            guard fputs(text, file) >= 0 else { throw WriteFailed() }
        }
        guard fflush(file) == 0 else { throw WriteFailed() }
        return 0
    }

    struct WriteFailed: Error, CustomStringConvertible {
        var description: String { "could not write the file" }
    }

    /// Imports one file; prints the report (every invalid row, or what was done).
    static func importFile(_ path: String, dryRun: Bool, environment: [String: String]) throws -> Int32 {
        let context = CommandContext(configuration: try Configuration.load(environment), name: "catalog-import")
        let (status, report) = try run(path, dryRun: dryRun, context: context)
        print(report, terminator: "")
        return status
    }

    /// Imports every `*.csv` in `directory`, oldest name first, moving each to `done/` or
    /// `failed/` beside its report (`<name>.report.txt`): what the `.path` unit starts.
    static func importDirectory(_ directory: String, environment: [String: String]) throws -> Int32 {
        let context = CommandContext(configuration: try Configuration.load(environment), name: "catalog-import")
        guard let handle = opendir(directory) else {
            CommandLineInterface.printError("catalog import-dir: cannot read \(directory)")
            return CommandLineInterface.exitNoInput
        }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".csv") && !name.hasPrefix(".") { names.append(name) }
        }
        closedir(handle)
        var worst: Int32 = 0
        for name in names.sorted() {
            let (status, report) = try run(directory + "/" + name, dryRun: false, context: context)
            let folder = directory + (status == 0 ? "/done" : "/failed")
            mkdir(folder, 0o750)
            rename(directory + "/" + name, folder + "/" + name)
            if let file = fopen(folder + "/" + name + ".report.txt", "w") {
                fputs(report, file)
                fclose(file)
            }
            print("\(name): " + (status == 0 ? "imported" : "failed") + " (report in \(folder)/\(name).report.txt)")
            worst = max(worst, status)
        }
        return worst
    }

    private static func run(_ path: String, dryRun: Bool, context: CommandContext) throws -> (Int32, String) {
        guard let file = fopen(path, "r") else { return (CommandLineInterface.exitNoInput, "catalog import: cannot read \(path)\n") }
        defer { fclose(file) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let report = try CatalogFiles.importFile(
            reading: {
                let count = fread(&chunk, 1, chunk.count, file)
                if count == 0 && ferror(file) != 0 { throw WriteFailed() }
                return count == 0 ? nil : Array(chunk[0..<count])
            }, dryRun: dryRun, context: context)
        guard report.problems.isEmpty else {
            return (
                CommandLineInterface.exitDataError,
                report.problems.map { $0 + "\n" }.joined() + "\(report.problems.count) problem(s) in \(report.rows) row(s); nothing was written\n"
            )
        }
        let verb = report.applied ? "" : "dry run, would have "
        return (0, "\(report.rows) row(s): \(verb)created \(report.created), \(verb)updated \(report.updated)\n")
    }
}
