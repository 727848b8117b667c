import COpenSSL

/// scrypt cost parameters (OWASP: N = 2^17, r = 8, p = 1). Stored beside every hash, so they
/// can be raised later and old hashes upgraded at the next login.
public struct ScryptParameters: Equatable, Sendable, CustomStringConvertible {
    public var logN: Int
    public var r: Int
    public var p: Int

    public init(logN: Int, r: Int = 8, p: Int = 1) {
        self.logN = logN
        self.r = r
        self.p = p
    }

    public static let owasp = ScryptParameters(logN: 17, r: 8, p: 1)

    /// Bounds on what a stored hash may ask for: a tampered row must not make a login
    /// allocate gigabytes.
    static let logNRange = 10...20
    static let rRange = 1...32
    static let pRange = 1...16

    var isWithinBounds: Bool { Self.logNRange.contains(logN) && Self.rRange.contains(r) && Self.pRange.contains(p) }

    /// scrypt needs 128·r·N bytes (plus 128·r·p); OpenSSL refuses anything above `maxmem`,
    /// whose default (32 MiB) is below the OWASP parameters.
    var memoryBytes: UInt64 { 128 * UInt64(r) * (UInt64(1) << UInt64(logN)) + 128 * UInt64(r) * UInt64(p) }

    public var description: String { "ln=\(logN),r=\(r),p=\(p)" }
}

/// Password hashes as self-describing strings, `$scrypt$ln=17,r=8,p=1$<salt>$<hash>`
/// (base64url, no padding), made and checked with OpenSSL's `EVP_PBE_scrypt`.
public struct PasswordHasher: Sendable {
    public enum Verdict: Equatable, Sendable {
        case mismatch
        /// The password is right; `needsRehash` when the hash used other parameters than today's.
        case match(needsRehash: Bool)
    }

    public let parameters: ScryptParameters
    static let saltBytes = 16
    static let keyBytes = 32

    public init(parameters: ScryptParameters = .owasp) {
        precondition(parameters.isWithinBounds, "scrypt parameters out of bounds: \(parameters)")
        self.parameters = parameters
    }

    public func hash(_ password: String) throws -> String {
        let salt = try SecureRandom.bytes(Self.saltBytes)
        let key = try Self.derive(Array(password.utf8), salt: salt, parameters)
        return "$scrypt$\(parameters)$\(Base64URL.encode(salt))$\(Base64URL.encode(key))"
    }

    /// Compares in constant time. A malformed or out-of-bounds stored hash never matches.
    public func verify(_ password: String, against encoded: String) -> Verdict {
        guard let stored = Self.parse(encoded),
            let key = try? Self.derive(Array(password.utf8), salt: stored.salt, stored.parameters),
            ConstantTime.equals(key, stored.key)
        else { return .mismatch }
        return .match(needsRehash: stored.parameters != parameters)
    }

    /// Does the work of one verification against nothing: the unknown-email path of a login
    /// costs what the wrong-password path costs, so timing tells nothing.
    public func burnVerification(_ password: String) {
        _ = try? Self.derive(Array(password.utf8), salt: [UInt8](repeating: 0, count: Self.saltBytes), parameters)
    }

    struct Stored {
        let parameters: ScryptParameters
        let salt: [UInt8]
        let key: [UInt8]
    }

    static func parse(_ encoded: String) -> Stored? {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt" else { return nil }
        var values: [String: Int] = [:]
        for pair in parts[2].split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, let value = Int(kv[1]) else { return nil }
            values[String(kv[0])] = value
        }
        guard let logN = values["ln"], let r = values["r"], let p = values["p"], values.count == 3 else { return nil }
        let parameters = ScryptParameters(logN: logN, r: r, p: p)
        guard parameters.isWithinBounds, let salt = Base64URL.decode(parts[3]), let key = Base64URL.decode(parts[4]),
            !salt.isEmpty, key.count == keyBytes
        else { return nil }
        return Stored(parameters: parameters, salt: salt, key: key)
    }

    static func derive(_ password: [UInt8], salt: [UInt8], _ parameters: ScryptParameters) throws -> [UInt8] {
        var key = [UInt8](repeating: 0, count: keyBytes)
        let maxmem = parameters.memoryBytes + (16 << 20)
        // A trailing NUL keeps the buffer non-empty (an empty password still has an address).
        let terminated = password.map { CChar(bitPattern: $0) } + [0]
        let ok = terminated.withUnsafeBufferPointer { pass in
            salt.withUnsafeBufferPointer { saltBuffer in
                key.withUnsafeMutableBufferPointer { out in
                    EVP_PBE_scrypt(
                        pass.baseAddress, password.count, saltBuffer.baseAddress, saltBuffer.count,
                        UInt64(1) << UInt64(parameters.logN), UInt64(parameters.r), UInt64(parameters.p), maxmem,
                        out.baseAddress, out.count)
                }
            }
        }
        guard ok == 1 else { throw CryptoError.kdfFailed }
        return key
    }
}
