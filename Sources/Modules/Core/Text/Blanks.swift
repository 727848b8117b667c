extension StringProtocol {
    /// Without the spaces and tabs at either end: HTTP's optional whitespace around header
    /// values and their parameters.
    public var trimmingBlanks: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !blank($0) }), let end = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[start...end])
    }
}
