import Crypto
import Testing

@Suite struct Base64URLTests {
    @Test func encodesRFC4648VectorsWithoutPadding() {
        let vectors = ["": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(Base64URL.encode(plain) == encoded)
            #expect(Base64URL.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
    }

    @Test func refusesPaddingForeignCharactersAndNonCanonicalForms() {
        for text in ["Zg==", "Zm9v+", "Zm9v/", "Z", "Zh", "Zm9 v"] { #expect(Base64URL.decode(text) == nil) }
    }

    /// A token's parts are slices of its bytes, starting anywhere.
    @Test func decodesSlicesAndSubstrings() {
        let bytes = Array("xx.Zm9vYmFy.yy".utf8)
        #expect(Base64URL.decode(symbols: bytes[3..<11]) == Array("foobar".utf8))
        #expect(Base64URL.decode(symbols: bytes[2..<11]) == nil)
        let text = "xx.Zm9vYg.yy"
        #expect(Base64URL.decode(text.split(separator: ".")[1]) == Array("foob".utf8))
    }

    @Test func roundTripsRandomBytes() throws {
        for count in 0..<40 {
            let bytes = try SecureRandom.bytes(count)
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
    }
}
