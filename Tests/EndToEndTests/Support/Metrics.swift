import Foundation

/// Reads samples out of the Prometheus text that /api/metrics serves.
struct MetricsText {
    let text: String

    /// The value of the sample whose name and labels match exactly; 0 when absent (a counter
    /// that has not moved yet is not printed).
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            let (sampleName, sampleLabels) = Self.split(String(parts[0]))
            if sampleName == name && sampleLabels == labels { return Double(parts[1]) ?? .nan }
        }
        return 0
    }

    /// Every sample of one family, by its labels.
    func samples(_ name: String) -> [[String: String]: Double] {
        var out: [[String: String]: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            let (sampleName, labels) = Self.split(String(parts[0]))
            if sampleName == name { out[labels] = Double(parts[1]) }
        }
        return out
    }

    private static func split(_ sample: String) -> (String, [String: String]) {
        guard let open = sample.firstIndex(of: "{") else { return (sample, [:]) }
        let name = String(sample[..<open])
        let body = sample[sample.index(after: open)..<(sample.lastIndex(of: "}") ?? sample.endIndex)]
        var labels: [String: String] = [:]
        for pair in body.split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { continue }
            labels[String(kv[0])] = String(kv[1].dropFirst().dropLast())
        }
        return (name, labels)
    }
}

extension Stack {
    func metrics() throws -> MetricsText {
        // The token: from loopback it is not needed, but the cluster's client is another host.
        let token = try environmentFile()["METRICS_TOKEN"]
        let response = try get("/api/metrics", headers: token.map { [("Authorization", "Bearer " + $0)] } ?? [])
        guard response.status == 200 else { throw StackError("metrics answered \(response.status)") }
        return MetricsText(text: response.text)
    }
}
