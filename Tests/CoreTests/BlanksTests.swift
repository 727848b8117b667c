import Testing
import Core

@Suite struct BlanksTests {
    @Test func blanksAreSpacesTabsAndLineEndsAtEitherEnd() {
        #expect(" \t a b \t".trimmingBlanks == "a b")
        #expect("Content-Type: text/plain\r\n".split(separator: ":", maxSplits: 1)[1].trimmingBlanks == "text/plain")
        #expect("a \t b".trimmingBlanks == "a \t b", "inside the value stays")
        #expect("\u{a0}x".trimmingBlanks == "\u{a0}x", "a no-break space is not HTTP whitespace")
        #expect(" \t \r\n".trimmingBlanks == "")
    }
}
