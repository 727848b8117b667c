extension StringProtocol {
    /// Without the spaces, tabs and line ends at either end: HTTP's optional whitespace around
    /// header values and their parameters, the CRLF a raw header line ends with, and the blanks
    /// around a comma-separated setting. The one trimming helper of the codebase.
    public var trimmingBlanks: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0.isNewline }
        guard let start = firstIndex(where: { !blank($0) }), let end = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[start...end])
    }
}
