import Foundation
import Testing
@testable import App

@Suite struct EnvironmentFileTests {
    @Test func systemdsRulesForQuotesCommentsAndBlanks() throws {
        let text = """
            # a comment
            ; another
              DATABASE_URL = postgresql://u:p@127.0.0.1/db  
            SMTP_FROM="Shop <noreply@shop.example.com>"
            SINGLE='a "b" $c \\n'
            DOUBLE="a \\"b\\" \\\\ \\$HOME \\n"
            SPLIT="one \\
            two"
            EMPTY=
            HASH=value # not a comment
            """
        let values = try EnvironmentFile.parse(text)
        #expect(values["DATABASE_URL"] == "postgresql://u:p@127.0.0.1/db")
        #expect(values["SMTP_FROM"] == "Shop <noreply@shop.example.com>")
        #expect(values["SINGLE"] == #"a "b" $c \n"#)
        #expect(values["DOUBLE"] == #"a "b" \ $HOME \n"#)
        #expect(values["SPLIT"] == "one two")
        #expect(values["EMPTY"] == "")
        #expect(values["HASH"] == "value # not a comment")
        #expect(values.count == 7)
    }

    @Test func malformedLinesAreRefusedWithTheirLineNumber() {
        #expect(throws: EnvironmentFile.ParseError(line: 2, problem: "expected KEY=VALUE")) { try EnvironmentFile.parse("A=1\nnot an assignment\n") }
        #expect(throws: EnvironmentFile.ParseError(line: 1, problem: "'export A' is not a variable name")) { try EnvironmentFile.parse("export A=1") }
        #expect(throws: EnvironmentFile.ParseError(line: 1, problem: "a double quote is not closed")) { try EnvironmentFile.parse("A=\"open\nB=2") }
        #expect(throws: EnvironmentFile.ParseError(line: 1, problem: "text after the closing quote")) { try EnvironmentFile.parse("A=\"x\" y") }
    }

    /// The example the package installs is what every command reads: it must parse, and give
    /// the placeholder JWT secret that `check-config` refuses.
    @Test func theShippedExampleParses() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let values = try EnvironmentFile.read(path: root.appendingPathComponent("deploy/systemd/commerce.env.example").path)
        #expect(values["SMTP_FROM"] == "Shop <noreply@shop.example.com>")
        #expect(values["JWT_SECRET"] == "CHANGE-ME-CHANGE-ME-CHANGE-ME-CHANGE-ME")
        #expect(values["API_WORKERS"] == "8")
    }

    @Test func theProcessEnvironmentWinsOverTheFile() throws {
        let path = NSTemporaryDirectory() + "env-\(UUID().uuidString)"
        try "DATABASE_URL=postgresql://file\nLOG_LEVEL=debug\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let merged = try EnvironmentFile.environment(process: ["LOG_LEVEL": "warn", "HOME": "/root"], envFile: path)
        #expect(merged == ["DATABASE_URL": "postgresql://file", "LOG_LEVEL": "warn", "HOME": "/root"])
        // Without --env-file and with the configuration already in the environment, no file is read.
        #expect(try EnvironmentFile.environment(process: ["DATABASE_URL": "x"], envFile: nil) == ["DATABASE_URL": "x"])
        #expect(throws: EnvironmentFile.ReadError.self) { try EnvironmentFile.environment(process: [:], envFile: path + ".missing") }
    }
}
