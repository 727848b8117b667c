import Crypto
import Testing

@Suite struct PasswordHasherTests {
    // Cheap parameters keep the suite fast; the format and the logic are the same as N = 2^17.
    let hasher = PasswordHasher(parameters: ScryptParameters(logN: 10))

    @Test func aHashVerifiesItsPasswordOnly() throws {
        let hash = try hasher.hash("correct horse battery")
        #expect(hash.hasPrefix("$scrypt$ln=10,r=8,p=1$"))
        #expect(hasher.verify("correct horse battery", against: hash) == .match(needsRehash: false))
        #expect(hasher.verify("correct horse batterY", against: hash) == .mismatch)
        #expect(hasher.verify("", against: hash) == .mismatch)
    }

    @Test func saltsMakeEveryHashDifferent() throws {
        #expect(try hasher.hash("same password") != hasher.hash("same password"))
    }

    @Test func raisedParametersAskForARehash() throws {
        let old = try hasher.hash("correct horse battery")
        let stronger = PasswordHasher(parameters: ScryptParameters(logN: 11))
        #expect(stronger.verify("correct horse battery", against: old) == .match(needsRehash: true))
        let upgraded = try stronger.hash("correct horse battery")
        #expect(upgraded.hasPrefix("$scrypt$ln=11,r=8,p=1$"))
        #expect(stronger.verify("correct horse battery", against: upgraded) == .match(needsRehash: false))
    }

    @Test func theOWASPParametersWork() throws {
        // OpenSSL's default maxmem (32 MiB) refuses N = 2^17; the hasher must raise it.
        let owasp = PasswordHasher()
        let hash = try owasp.hash("correct horse battery")
        #expect(hash.hasPrefix("$scrypt$ln=17,r=8,p=1$"))
        #expect(owasp.verify("correct horse battery", against: hash) == .match(needsRehash: false))
    }

    @Test func knownAnswerFromRFC7914() throws {
        // RFC 7914 §12, second vector: P="password", S="NaCl", N=1024, r=8, p=16 (first 32 bytes).
        let salt = Array("NaCl".utf8)
        let encoded = "$scrypt$ln=10,r=8,p=16$" + Base64URL.encode(salt) + "$" + Base64URL.encode(Self.hex("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"))
        #expect(PasswordHasher(parameters: ScryptParameters(logN: 10, r: 8, p: 16)).verify("password", against: encoded) == .match(needsRehash: false))
    }

    @Test func malformedOrHostileStoredHashesNeverMatch() {
        for stored in [
            "", "plain", "$scrypt$ln=10,r=8,p=1$c2FsdA", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
            "$scrypt$ln=30,r=8,p=1$c2FsdA$" + String(repeating: "A", count: 43), "$scrypt$ln=10,r=8$c2FsdA$aGFzaA",
        ] {
            #expect(hasher.verify("password", against: stored) == .mismatch)
        }
    }

    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }
}
